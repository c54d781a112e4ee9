/**
 * Measures the projection's two bulk writers on the same ~50k-event fleet history (ADR 0004):
 *
 *   node -r ./tools/register.js apps/projector/src/bench/measure-writers.ts [commands] [batch]
 *
 * Each writer projects every batch into its own fresh schema of a scratch database (dropped at
 * the end); the events and the audit records are timed apart, three rounds, median reported.
 */
import { performance } from 'node:perf_hooks';
import {
  Projection,
  copyWriter,
  hybridWriter,
  unnestWriter,
  type BulkWriter,
  type PartitionBatch,
} from '@klp/store';
import { sampleFleet } from '../testing/fleet-history';
import { interleave, partitionBatches } from '../testing/records';
import { createTestDatabase } from '../testing/test-database';

const commands = Number(process.argv[2] ?? 55_000);
const batchSize = Number(process.argv[3] ?? 2000);
/** Partitions applied at once (the consumer's partitionsConsumedConcurrently). */
const lanes = Number(process.argv[4] ?? 1);
const ROUNDS = 3;

async function timeRun(
  database: Awaited<ReturnType<typeof createTestDatabase>>,
  schema: string,
  writer: BulkWriter,
  batches: PartitionBatch[],
) {
  const pool = await database.schema(schema);
  const projection = new Projection(pool, {
    writer,
    publishDeadLetters: () => Promise.reject(new Error('dead letter')),
  });
  const times = { events: 0, audit: 0, wall: 0 };
  // Each lane takes whole partitions, in order, like a consumer with that many partitions in flight.
  const queues = Array.from({ length: lanes }, () => [] as PartitionBatch[]);
  const laneOf = new Map<string, number>();
  for (const batch of batches) {
    const key = `${batch.topic}:${batch.partition}`;
    const lane = laneOf.get(key) ?? laneOf.size % lanes;
    laneOf.set(key, lane);
    queues[lane].push(batch);
  }
  const wall = performance.now();
  await Promise.all(
    queues.map(async (queue) => {
      for (const batch of queue) {
        const start = performance.now();
        await projection.apply(batch);
        times[batch.kind] += performance.now() - start;
      }
    }),
  );
  times.wall = performance.now() - wall;
  await pool.end();
  return times;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const started = performance.now();
  const fleet = sampleFleet(50, { hosts: 1000, commands });
  const events = fleet.events.length;
  const audit = fleet.audit.length;
  console.log(
    `fleet: ${events} events, ${audit} audit records, ${commands} commands over 1000 hosts (${Math.round(performance.now() - started)} ms to decide)`,
  );
  const batches = interleave([
    ...partitionBatches('events', 'klp.events', fleet.events, 12, batchSize),
    ...partitionBatches('audit', 'klp.audit', fleet.audit, 12, batchSize),
  ]);
  const database = await createTestDatabase('bench');
  try {
    const writers: [string, () => BulkWriter][] = [
      ['unnest', () => unnestWriter],
      ['copy', () => copyWriter()],
      ['hybrid', () => hybridWriter()],
    ];
    const results = new Map<string, { events: number[]; audit: number[]; wall: number[] }>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, make] of round % 2 === 0 ? writers : [...writers].reverse()) {
        const times = await timeRun(database, `${name}_${round}`, make(), batches);
        const entry = results.get(name) ?? { events: [], audit: [], wall: [] };
        entry.events.push(times.events);
        entry.audit.push(times.audit);
        entry.wall.push(times.wall);
        results.set(name, entry);
        console.log(
          `round ${round + 1} ${name}: events ${Math.round(times.events)} ms, ` +
            `audit ${Math.round(times.audit)} ms, wall ${Math.round(times.wall)} ms`,
        );
      }
    }
    console.log(`\nbatch size ${batchSize}, ${lanes} lane(s), median of ${ROUNDS}:`);
    console.log(
      'writer | events: ms in batches | events/s | audit: ms in batches | records/s | wall ms | events/s (wall)',
    );
    for (const [name, entry] of results) {
      const e = median(entry.events);
      const a = median(entry.audit);
      const w = median(entry.wall);
      const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
      console.log(
        `${name} | ${Math.round(e)} | ${rate(events, e)} | ${Math.round(a)} | ${rate(audit, a)} | ${Math.round(w)} | ${rate(events, w)}`,
      );
    }
  } finally {
    await database.drop();
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
