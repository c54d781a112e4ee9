import { randomUUID } from 'node:crypto';
import type { CommandEnvelope } from '@klp/contracts';
import { createKafka, PartitionReader, provisionTopics, topicNames, type TopicNames } from '@klp/kafka';
import type { Admin, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';

export const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');

export type ReadRecord = KafkaMessage & { readonly partition: number };

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. Never a fixed sleep. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A set of klp topics of its own on the real broker (a unique KLP_TOPIC_PREFIX), so that test
 * files never see each other's records, with the few client operations the specs need.
 */
export class TopicsFixture {
  readonly topics: TopicNames;
  readonly groupId: string;
  readonly kafka: Kafka;
  readonly admin: Admin;
  private readonly producer: Producer;
  private reader?: PartitionReader;

  constructor(
    readonly prefix: string,
    readonly partitions: number,
  ) {
    this.topics = topicNames(prefix);
    this.groupId = `${prefix}klp-decider`;
    this.kafka = createKafka({ brokers, clientId: `${prefix}spec`, logLevel: 'nothing' });
    this.admin = this.kafka.admin();
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  }

  static async create(name: string, partitions: number): Promise<TopicsFixture> {
    const prefix = `t-${name}-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}.`;
    const fixture = new TopicsFixture(prefix, partitions);
    await fixture.admin.connect();
    await provisionTopics(fixture.admin, { partitions, prefix });
    await fixture.producer.connect();
    return fixture;
  }

  /** Environment of a decider on these topics (merge over process.env). */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      KAFKA_BROKERS: brokers.join(','),
      KLP_TOPIC_PREFIX: this.prefix,
      KLP_PARTITIONS: String(this.partitions),
      LOG_LEVEL: 'warn',
      ...extra,
    };
  }

  async sendCommands(commands: readonly CommandEnvelope[], chunk = 1000): Promise<void> {
    for (let start = 0; start < commands.length; start += chunk) {
      await this.sendRaw(
        commands
          .slice(start, start + chunk)
          .map((command) => ({ key: command.hostId, value: JSON.stringify(command) })),
      );
    }
  }

  async sendRaw(messages: Message[]): Promise<void> {
    await this.producer.send({ topic: this.topics.commands, acks: -1, messages });
  }

  /** Resolves once the decider group has committed every command produced so far. */
  async waitUntilDecided(timeoutMs = 90_000): Promise<void> {
    const ends = await this.admin.fetchTopicOffsets(this.topics.commands);
    await waitFor(
      'the decider to commit every command offset',
      async () => {
        const [committed] = await this.admin.fetchOffsets({
          groupId: this.groupId,
          topics: [this.topics.commands],
        });
        return ends.every(({ partition, high }) => {
          const offset = committed?.partitions.find((item) => item.partition === partition)?.offset ?? '-1';
          return BigInt(offset) >= BigInt(high);
        });
      },
      timeoutMs,
    );
  }

  /** How many commands the decider group has committed so far (offsets summed over partitions). */
  async decidedCount(): Promise<number> {
    const [committed] = await this.admin.fetchOffsets({
      groupId: this.groupId,
      topics: [this.topics.commands],
    });
    return (committed?.partitions ?? []).reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
  }

  /** Every committed record of a topic, partition by partition, in offset order. */
  async readAll(topic: string): Promise<ReadRecord[]> {
    if (!this.reader) {
      this.reader = new PartitionReader(this.kafka, {
        groupId: `${this.prefix}spec-reader-${randomUUID().slice(0, 8)}`,
        topics: [this.topics.events, this.topics.audit, this.topics.dlq, this.topics.snapshots],
      });
      await this.reader.start();
    }
    const records: ReadRecord[] = [];
    for (const { partition, low, high } of await this.admin.fetchTopicOffsets(topic)) {
      await this.reader.read({ topic, partition, from: BigInt(low), to: BigInt(high) }, (messages) => {
        for (const message of messages) records.push({ ...message, partition });
      });
    }
    return records;
  }

  async close(): Promise<void> {
    await this.reader?.stop().catch(() => undefined);
    await this.producer.disconnect();
    await this.admin.deleteTopics({ topics: Object.values(this.topics) }).catch(() => undefined);
    await this.admin.disconnect();
  }
}
