/**
 * The raw limit of the decider's shape of work: kafkajs consume → transactional produce of one
 * output record per input record (the same bytes) + sendOffsets, one transaction per batch and
 * partition, no domain logic. Run as its own process, like the decider.
 *   node -r ./tools/register.js bench/raw-kafka-txn.ts <brokers> <inputTopic> <outputTopic> <groupId>
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';

const [brokers, input, output, groupId] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'bench-raw', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const producers = new Map<number, Promise<Producer>>();

function producerFor(partition: number): Promise<Producer> {
  let producer = producers.get(partition);
  if (!producer) {
    const created = kafka.producer({
      transactionalId: `${groupId}-p${partition}`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    producer = created.connect().then(() => created);
    producers.set(partition, producer);
  }
  return producer;
}

async function main(): Promise<void> {
  // Half a MiB per partition keeps each transactional send under the broker's 1 MiB batch limit.
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxBytesPerPartition: 512 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic: input, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 12,
    eachBatch: async ({ batch }) => {
      if (batch.messages.length === 0) return;
      const producer = await producerFor(batch.partition);
      const transaction = await producer.transaction();
      try {
        await transaction.send({
          topic: output,
          acks: -1,
          messages: batch.messages.map((message) => ({
            key: message.key,
            value: message.value,
            partition: batch.partition,
          })),
        });
        const last = batch.messages[batch.messages.length - 1];
        await transaction.sendOffsets({
          consumerGroupId: groupId,
          topics: [
            {
              topic: input,
              partitions: [{ partition: batch.partition, offset: String(Number(last.offset) + 1) }],
            },
          ],
        });
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
    },
  });
  const stop = () => void consumer.disconnect().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
