// Smoke test of the real broker (tools/kafka) with the client the services use (kafkajs): the
// exactly-once building blocks the decider relies on. Brokers come from KAFKA_BROKERS, which the
// integration tier's global setup sets after starting or finding a broker.
import { randomUUID } from 'node:crypto';
import {
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type EachMessagePayload,
  type Producer,
} from 'kafkajs';
import { createTopicsAndWait } from './topics';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const WAIT_MS = 20_000;

const kafka = new Kafka({
  clientId: 'transactions-int-spec',
  brokers,
  logLevel: logLevel.NOTHING,
  retry: { initialRetryTime: 100, retries: 8 },
});

const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. Never a fixed sleep. */
async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const producers: Producer[] = [];
const consumers: Consumer[] = [];

async function transactionalProducer(): Promise<Producer> {
  const producer = kafka.producer({
    transactionalId: unique('tx-spec'),
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  producers.push(producer);
  await producer.connect();
  return producer;
}

/** Starts a consumer on `topic` from the beginning and collects the values it is handed. */
async function collect(topic: string, options: Partial<ConsumerConfig> = {}): Promise<string[]> {
  const values: string[] = [];
  const consumer = kafka.consumer({ groupId: unique('spec-reader'), maxWaitTimeInMs: 100, ...options });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }: EachMessagePayload) => {
      values.push(message.value?.toString() ?? '<null>');
      return Promise.resolve();
    },
  });
  return values;
}

describe('Kafka transactions against the real broker', () => {
  let admin: Admin;
  const topics = {
    committed: unique('spec.tx-committed'),
    aborted: unique('spec.tx-aborted'),
    input: unique('spec.tx-input'),
    output: unique('spec.tx-output'),
  };

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await createTopicsAndWait(
      admin,
      Object.values(topics).map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
    );
  });

  afterAll(async () => {
    await Promise.allSettled(consumers.map((consumer) => consumer.disconnect()));
    await Promise.allSettled(producers.map((producer) => producer.disconnect()));
    await admin?.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('delivers the records of a committed transaction, exactly those, to a read_committed consumer', async () => {
    const producer = await transactionalProducer();
    const transaction = await producer.transaction();
    await transaction.send({
      topic: topics.committed,
      messages: ['c-1', 'c-2', 'c-3'].map((value) => ({ key: 'host-1', value })),
    });
    await transaction.commit();

    const seen = await collect(topics.committed); // read_committed is kafkajs' default
    await waitFor('the 3 committed records', () => seen.length >= 3);
    expect(seen).toEqual(['c-1', 'c-2', 'c-3']);
    // 3 records + 1 commit marker: the records really went through a transaction.
    const [offsets] = await admin.fetchTopicOffsets(topics.committed);
    expect(offsets.high).toBe('4');
  });

  it('never shows records of an aborted transaction to read_committed, but does show a later commit', async () => {
    const producer = await transactionalProducer();
    const aborted = await producer.transaction();
    await aborted.send({ topic: topics.aborted, messages: [{ value: 'aborted-1' }, { value: 'aborted-2' }] });
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({ topic: topics.aborted, messages: [{ value: 'committed-1' }] });
    await committed.commit();

    const readCommitted = await collect(topics.aborted);
    const readUncommitted = await collect(topics.aborted, { readUncommitted: true });
    // The committed record follows the aborted ones in the log, so once it is seen the aborted
    // ones have been passed over.
    await waitFor('the committed record (read_committed)', () => readCommitted.includes('committed-1'));
    await waitFor('the committed record (read_uncommitted)', () => readUncommitted.includes('committed-1'));
    expect(readCommitted).toEqual(['committed-1']);
    // Control: the aborted records are in the log; only the isolation level hides them.
    expect(readUncommitted).toEqual(['aborted-1', 'aborted-2', 'committed-1']);
  });

  it('commits consumer offsets atomically with the produced records (sendOffsets, consume-transform-produce)', async () => {
    const seed = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    producers.push(seed);
    await seed.connect();
    await seed.send({
      topic: topics.input,
      messages: ['in-1', 'in-2', 'in-3', 'in-4'].map((value) => ({ value })),
    });

    const groupId = unique('spec-transformer');
    const producer = await transactionalProducer();
    const transformer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    consumers.push(transformer);
    const handled: string[] = [];
    await transformer.connect();
    await transformer.subscribe({ topic: topics.input, fromBeginning: true });
    await transformer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }: EachMessagePayload) => {
        const value = message.value?.toString() ?? '';
        const transaction = await producer.transaction();
        await transaction.send({ topic: topics.output, messages: [{ value: value.toUpperCase() }] });
        await transaction.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic, partitions: [{ partition, offset: (BigInt(message.offset) + 1n).toString() }] }],
        });
        // The last input fails after producing: neither its output nor its offset may survive.
        if (value === 'in-4') await transaction.abort();
        else await transaction.commit();
        handled.push(value);
      },
    });
    await waitFor('the transformer to handle the 4 input records', () => handled.length >= 4);
    await transformer.stop();

    // A committed sentinel after the aborted output record: once it is read, the aborted one was passed.
    const sentinel = await producer.transaction();
    await sentinel.send({ topic: topics.output, messages: [{ value: 'sentinel' }] });
    await sentinel.commit();
    const output = await collect(topics.output);
    await waitFor('the sentinel on the output topic', () => output.includes('sentinel'));
    expect(output).toEqual(['IN-1', 'IN-2', 'IN-3', 'sentinel']);

    // The group's committed offset is the one sent with the last committed transaction (after in-3).
    const [committedOffsets] = await admin.fetchOffsets({ groupId, topics: [topics.input] });
    expect(committedOffsets.partitions).toEqual([{ partition: 0, offset: '3', metadata: null }]);
  });
});
