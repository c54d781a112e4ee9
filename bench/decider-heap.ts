/**
 * Heap held per host by the decider's partition state, without Kafka: decides the first
 * `commandsPerHost` commands of each host's operations script with the decider's own
 * `decideBatch`, then reads the heap after a full GC.
 *
 *   node --expose-gc -r ./tools/register.js bench/decider-heap.ts <hosts> <commandsPerHost>
 */
import { decideBatch } from '../apps/decider/src/decide-batch';
import { BatchWork, PartitionState } from '../apps/decider/src/partition-state';
import { operationsWorkload } from './workload';

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export function heapPerHost(
  hosts: number,
  commandsPerHost: number,
): { bytesPerHost: number; heapMb: number } {
  const state = new PartitionState(0, new Map(), new Map(), { events: 0n, audit: 0n }, null, null);
  const before = heapAfterGc();
  const commands = operationsWorkload(hosts, 1);
  let records: { offset: string; key: Buffer; value: Buffer }[] = [];
  const flush = () => {
    const work = new BatchWork(state);
    decideBatch(work, records);
    state.commit(work, { hostIds: [], messages: [], dirty: new Map(), checkpoint: work.end }, null);
    records = [];
  };
  for (let i = 0; i < hosts * commandsPerHost; i++) {
    const next = commands.next();
    if (next.done) break;
    records.push({
      offset: String(i),
      key: Buffer.from(next.value.hostId),
      value: Buffer.from(JSON.stringify(next.value)),
    });
    if (records.length === 500) flush();
  }
  if (records.length) flush();
  const held = heapAfterGc() - before;
  if (state.size !== hosts) throw new Error(`expected ${hosts} hosts, holding ${state.size}`);
  return { bytesPerHost: held / hosts, heapMb: held / 2 ** 20 };
}

if (require.main === module) {
  console.log(JSON.stringify(heapPerHost(Number(process.argv[2] ?? 10_000), Number(process.argv[3] ?? 6))));
}
