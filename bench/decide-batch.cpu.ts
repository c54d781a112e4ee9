/**
 * The decider's CPU path alone, no Kafka: `decideBatch` over the seeded workload in chunks of 500,
 * as one partition would see it. For profiling (`node --cpu-prof -r ./tools/register.js
 * bench/decide-batch.cpu.ts [commands]`) and for before/after ratios of a change to that path.
 */
import { performance } from 'node:perf_hooks';
import { decideBatch } from '../apps/decider/src/decide-batch';
import { BatchWork, PartitionState } from '../apps/decider/src/partition-state';
import { operationsWorkload } from './workload';

export function measureDecideBatch(commands: number): { commandsPerSecond: number; auditPerCommand: number } {
  const records: { offset: string; key: Buffer; value: Buffer }[] = [];
  for (const command of operationsWorkload(1000, 1)) {
    if (records.length >= commands) break;
    const offset = String(records.length);
    records.push({ offset, key: Buffer.from(command.hostId), value: Buffer.from(JSON.stringify(command)) });
  }
  const state = new PartitionState(0, new Map(), new Map(), { events: 0n, audit: 0n }, null, null);
  let audit = 0;
  const started = performance.now();
  for (let start = 0; start < records.length; start += 500) {
    const work = new BatchWork(state);
    audit += decideBatch(work, records.slice(start, start + 500)).audit.length;
    state.commit(work, { hostIds: [], messages: [], dirty: new Map(), checkpoint: work.end }, null);
  }
  const seconds = (performance.now() - started) / 1000;
  return { commandsPerSecond: records.length / seconds, auditPerCommand: audit / records.length };
}

if (require.main === module) {
  const result = measureDecideBatch(Number(process.argv[2] ?? 200_000));
  console.log(JSON.stringify(result));
}
