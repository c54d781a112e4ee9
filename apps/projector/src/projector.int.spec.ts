import type { DeadLetter } from '@klp/contracts';
import { view } from '@klp/domain';
import type { Consumer } from 'kafkajs';
import { Client, type Pool } from 'pg';
import { Projector } from './projector';
import { sampleFleet } from './testing/fleet-history';
import { kafkaFixture, produceHistory, waitForProjection, type KafkaFixture } from './testing/kafka-fixture';
import { readHostViews } from './testing/read-back';
import { createTestDatabase, waitFor, type TestDatabase } from './testing/test-database';

// The projector in-process against the real broker: records produced as the decider produces them
// (a transaction per batch), two instances of one group sharing the partitions, a poison record.
const fleet = sampleFleet(11, { hosts: 40, commands: 1500 });
const half = Math.floor(fleet.events.length / 2);
let database: TestDatabase;
let fixture: KafkaFixture;
let pool: Pool;
const projectors: Projector[] = [];
const consumers: Consumer[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  database = await createTestDatabase('e2e');
  pool = await database.schema();
  fixture = await kafkaFixture('projector', 3);
});
afterAll(async () => {
  await Promise.allSettled(projectors.map((projector) => projector.stop()));
  await Promise.allSettled(consumers.map((consumer) => consumer.disconnect()));
  await Promise.allSettled(clients.map((client) => client.end()));
  await fixture?.close();
  await database?.drop();
});

function startProjector(): Promise<void> {
  const projector = new Projector({
    kafka: fixture.kafka,
    pool,
    topics: fixture.topics,
    groupId: `${fixture.prefix}projector`,
    maxBatch: 400,
    cacheHosts: 1000,
    concurrency: 3,
    log: () => undefined,
  });
  projectors.push(projector);
  return projector.start();
}

async function deadLetters(): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  const consumer = fixture.kafka.consumer({ groupId: `${fixture.prefix}dlq-reader`, maxWaitTimeInMs: 100 });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic: fixture.topics.dlq, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) =>
      Promise.resolve(void letters.push(JSON.parse(message.value!.toString()) as DeadLetter)),
  });
  return letters;
}

describe('the projector on a real broker', () => {
  it('projects what the decider wrote, exactly once across a rebalance, dead-letters a poison record, and NOTIFYs each command', async () => {
    const listener = new Client({ connectionString: database.url });
    listener.on('error', () => undefined);
    clients.push(listener);
    await listener.connect();
    const settled = new Set<string>();
    listener.on('notification', (message) =>
      (message.payload ?? '').split(',').forEach((id) => settled.add(id)),
    );
    await listener.query('LISTEN klp_settled');

    const producer = await fixture.producer();
    await produceHistory(producer, fixture.topics, fleet.events.slice(0, half), fleet.audit);
    // A record no reader understands, in the middle of the stream, on the partition of a busy host.
    const poison = await producer.transaction();
    await poison.send({
      topic: fixture.topics.events,
      messages: [{ key: fleet.events[0].hostId, value: '{"schemaVersion":99}' }],
    });
    await poison.commit();

    await startProjector();
    await waitForProjection(pool, fixture.admin, [fixture.topics.events, fixture.topics.audit]);
    // A second instance joins the group: partitions move, each resumes from Postgres' offsets.
    await startProjector();
    await produceHistory(producer, fixture.topics, fleet.events.slice(half), fleet.audit);
    await waitForProjection(pool, fixture.admin, [fixture.topics.events, fixture.topics.audit]);

    const views = await readHostViews(pool);
    for (const [hostId, state] of fleet.states) expect(views.get(hostId) ?? null).toEqual(view(state));
    const counts = await pool.query<{ events: number; audit: number; outcomes: number }>(
      `SELECT (SELECT count(*)::int FROM event_log) AS events, (SELECT count(*)::int FROM audit_log) AS audit,
              (SELECT count(*)::int FROM command_outcomes) AS outcomes`,
    );
    const commandIds = new Set(fleet.events.map((event) => event.commandId));
    expect(counts.rows[0]).toEqual({
      events: fleet.events.length,
      audit: fleet.audit.length,
      outcomes: commandIds.size,
    });

    const letters = await deadLetters();
    await waitFor('the dead letter', () => letters.length >= 1);
    expect(letters).toEqual([
      expect.objectContaining({
        sourceTopic: fixture.topics.events,
        value: '{"schemaVersion":99}',
        error: 'unknown event schemaVersion 99',
      }),
    ]);

    await waitFor('every command id to be NOTIFYed', () => [...commandIds].every((id) => settled.has(id)));
  });
});
