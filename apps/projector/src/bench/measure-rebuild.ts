/**
 * Times `projections:rebuild` (ADR 0005) on a fleet history decided by the domain:
 *
 *   KAFKA_BROKERS=… node -r ./tools/register.js apps/projector/src/bench/measure-rebuild.ts [commands] [partitions]
 *
 * Produces the history to topics of its own (as the decider would: a transaction per 500 events
 * with their audit records), lays an empty live schema, rebuilds and swaps; prints the report.
 * The scratch database and the topics are dropped at the end. KLP_REBUILD_ONE_THREAD=1 replays the
 * first round in this thread, as before ADR 0012.
 */
import { performance } from 'node:perf_hooks';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { migrations } from '../../../../migrations';
import { rebuildProjections } from '../rebuild/rebuild';
import { sampleFleet } from '../testing/fleet-history';
import { brokers, kafkaFixture, produceHistory } from '../testing/kafka-fixture';
import { createTestDatabase } from '../testing/test-database';

const commands = Number(process.argv[2] ?? 55_000);
const partitions = Number(process.argv[3] ?? 6);

async function main() {
  let started = performance.now();
  const fleet = sampleFleet(50, { hosts: 1000, commands });
  console.log(
    `fleet: ${fleet.events.length} events, ${fleet.audit.length} audit records (${Math.round(performance.now() - started)} ms to decide)`,
  );
  const database = await createTestDatabase('benchrebuild');
  const fixture = await kafkaFixture('benchrebuild', partitions);
  try {
    await database.schema('klp');
    started = performance.now();
    const producer = await fixture.producer();
    await produceHistory(producer, fixture.topics, fleet.events, fleet.audit, 500);
    console.log(`produced in ${Math.round(performance.now() - started)} ms`);
    const report = await rebuildProjections({
      url: database.url,
      kafka: fixture.kafka,
      topics: fixture.topics,
      groupPrefix: `${fixture.prefix}rebuild`,
      schema: 'klp',
      migrations,
      maxBatch: 5000,
      concurrency: 2,
      replayThreads: process.env.KLP_REBUILD_ONE_THREAD
        ? undefined
        : { brokers: brokers(), logLevel: 'warn' },
      log: () => undefined,
      progress: (line) => console.log(line),
      progressIntervalMs: 10_000,
    });
    const seconds = report.ms / 1000;
    console.log(
      `rebuild: ${seconds.toFixed(1)} s for ${fleet.events.length} events + ${fleet.audit.length} audit records: ` +
        `${Math.round(fleet.events.length / seconds)} events/s, ` +
        `${Math.round((fleet.events.length + fleet.audit.length) / seconds)} records/s; ${partitions} partitions`,
    );
  } finally {
    await fixture.close();
    await database.drop();
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
