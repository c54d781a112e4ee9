// PartitionReader against the real broker: exact ranges, read_committed, ranges that end on markers.
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { createKafka } from './client';
import { PartitionReader } from './partition-reader';
import {
  beginFencing,
  createTransactionalProducer,
  isFencedError,
  sendInChunks,
} from './transactional-batch';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
const unique = (name: string) => `spec.${name}-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;

describe('PartitionReader and transactional sends against the real broker', () => {
  let kafka: Kafka;
  let admin: Admin;
  let reader: PartitionReader;
  const topics = [unique('reader-a'), unique('reader-b')];
  const producers: Producer[] = [];
  const offsets: bigint[] = [];

  const read = async (topic: string, partition: number, from: bigint, to: bigint) => {
    const values: string[] = [];
    await reader.read({ topic, partition, from, to }, (messages) => {
      for (const message of messages) values.push(message.value!.toString());
    });
    return values;
  };

  beforeAll(async () => {
    kafka = createKafka({ brokers, clientId: 'partition-reader-spec', logLevel: 'nothing' });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })),
    });
    const producer = createTransactionalProducer(kafka, unique('tx'));
    producers.push(producer);
    // partition 1 of topic a: commit [a, b], abort [x], commit [c]
    for (const [values, outcome] of [
      [['a', 'b'], 'commit'],
      [['x'], 'abort'],
      [['c'], 'commit'],
    ] as const) {
      const transaction =
        producers.length === 1 && offsets.length === 0
          ? await beginFencing(producer)
          : await producer.transaction();
      const [sent] = await sendInChunks(transaction, [
        { topic: topics[0], partition: 1, messages: values.map((value) => ({ key: 'k', value })) },
      ]);
      offsets.push(...sent);
      await (outcome === 'commit' ? transaction.commit() : transaction.abort());
    }
    reader = new PartitionReader(kafka, { groupId: unique('reader'), topics });
    await reader.start();
  });

  afterAll(async () => {
    await reader?.stop();
    await Promise.all(producers.map((producer) => producer.disconnect()));
    await admin?.deleteTopics({ topics }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('reports the offsets it wrote: consecutive within a send, markers between transactions', () => {
    expect(offsets).toEqual([0n, 1n, 3n, 5n]); // a b | commit marker | x | abort marker | c
  });

  it('reads a whole partition up to its end (a commit marker), skipping aborted records', async () => {
    const [{ high }] = (await admin.fetchTopicOffsets(topics[0])).filter((item) => item.partition === 1);
    expect(high).toBe('7');
    expect(await read(topics[0], 1, 0n, 7n)).toEqual(['a', 'b', 'c']);
  });

  it('reads exactly a range, again and again, and an empty partition or range at once', async () => {
    expect(await read(topics[0], 1, 1n, 5n)).toEqual(['b']);
    expect(await read(topics[0], 1, 0n, 2n)).toEqual(['a', 'b']);
    expect(await read(topics[0], 1, 5n, 6n)).toEqual(['c']);
    expect(await read(topics[0], 0, 0n, 0n)).toEqual([]);
    expect(await read(topics[1], 1, 3n, 3n)).toEqual([]);
  });

  it('fences the earlier holder of a transactional id: its next transaction fails', async () => {
    const id = unique('fenced');
    const zombie = createTransactionalProducer(kafka, id);
    const owner = createTransactionalProducer(kafka, id);
    producers.push(zombie, owner);
    const stale = await beginFencing(zombie);
    await sendInChunks(stale, [{ topic: topics[1], partition: 0, messages: [{ value: 'zombie' }] }]);
    const fresh = await beginFencing(owner); // aborts the zombie's open transaction
    await sendInChunks(fresh, [{ topic: topics[1], partition: 0, messages: [{ value: 'owner' }] }]);
    await fresh.commit();
    const failure = await stale.commit().then(
      () => null,
      (error: unknown) => error,
    );
    expect(isFencedError(failure)).toBe(true);
    const [{ high }] = (await admin.fetchTopicOffsets(topics[1])).filter((item) => item.partition === 0);
    expect(await read(topics[1], 0, 0n, BigInt(high))).toEqual(['owner']);
  });
});
