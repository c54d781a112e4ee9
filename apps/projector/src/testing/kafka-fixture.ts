import { randomUUID } from 'node:crypto';
import type { AuditRecord, HostEvent } from '@klp/contracts';
import { chunkBySize, createKafka } from '@klp/kafka';
import { Partitioners, type Admin, type Kafka, type Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { projectorTopics, provisionProjectorTopics, type ProjectorTopics } from '../topics';
import { waitFor } from './test-database';

export const brokers = () => (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');

export interface KafkaFixture {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly prefix: string;
  readonly topics: ProjectorTopics;
  /** A transactional producer, as the decider writes: events and audit records of a batch in one transaction. */
  producer(): Promise<Producer>;
  close(): Promise<void>;
}

/** Topics of their own (`spec-<random>-klp.events`, …) on the shared broker, deleted at the end. */
export async function kafkaFixture(label: string, partitions: number): Promise<KafkaFixture> {
  const prefix = `spec-${label}-${randomUUID().slice(0, 8)}-`;
  const kafka = createKafka({ brokers: brokers(), clientId: `spec-${label}`, logLevel: 'nothing' });
  const admin = kafka.admin();
  await admin.connect();
  await provisionProjectorTopics(admin, prefix, partitions);
  const topics = projectorTopics(prefix);
  const producers: Producer[] = [];
  return {
    kafka,
    admin,
    prefix,
    topics,
    async producer() {
      const producer = kafka.producer({
        transactionalId: `${prefix}decider-${producers.length}`,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      producers.push(producer);
      await producer.connect();
      return producer;
    },
    async close() {
      await Promise.allSettled(producers.map((producer) => producer.disconnect()));
      await admin.deleteTopics({ topics: [topics.events, topics.audit, topics.dlq] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

/** Writes a history the way the decider would: per chunk of events, one transaction with their audit records. */
export async function produceHistory(
  producer: Producer,
  topics: ProjectorTopics,
  events: readonly HostEvent[],
  audit: readonly AuditRecord[],
  perTransaction = 500,
): Promise<void> {
  const auditOf = new Map<string, AuditRecord[]>();
  for (const record of audit)
    auditOf.set(record.commandId, [...(auditOf.get(record.commandId) ?? []), record]);
  for (let start = 0; start < events.length; start += perTransaction) {
    const chunk = events.slice(start, start + perTransaction);
    const eventMessages = chunk.map((event) => ({ key: event.hostId, value: JSON.stringify(event) }));
    // One klp.audit value per command, its records packed as the decider packs them (ADR 0013).
    const auditMessages = chunk.flatMap((event) => {
      const packed = event.type === 'CommandRejected' ? [] : (auditOf.get(event.commandId) ?? []);
      return packed.length === 0 ? [] : [{ key: event.hostId, value: JSON.stringify(packed) }];
    });
    const transaction = await producer.transaction();
    try {
      // Several sends per topic: one produce request must stay under the broker's message.max.bytes.
      for (const [topic, messages] of [
        [topics.events, eventMessages],
        [topics.audit, auditMessages],
      ] as const) {
        for (const part of chunkBySize(messages)) await transaction.send({ topic, messages: part });
      }
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }
}

/**
 * Waits until Postgres holds every record of the topics: each partition's stored offset is past its
 * last record. Written transactionally, a partition ends with a commit marker, which the consumer
 * may or may not have counted, so "past the last record" is `high watermark - 1`.
 */
export async function waitForProjection(
  pool: Pool,
  admin: Admin,
  topicNames: readonly string[],
  timeoutMs = 60_000,
) {
  const targets: [string, number, bigint][] = [];
  for (const topic of topicNames) {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > 0n) targets.push([topic, partition, BigInt(high) - 1n]);
    }
  }
  await waitFor(
    `projection_offsets to reach ${targets.map(([t, p, o]) => `${t}[${p}]>=${o}`).join(' ')}`,
    async () => {
      const { rows } = await pool.query<{ topic: string; partition: number; next_offset: string }>(
        `SELECT topic, partition, next_offset FROM projection_offsets WHERE topic = ANY($1)`,
        [topicNames],
      );
      const stored = new Map(rows.map((row) => [`${row.topic}:${row.partition}`, BigInt(row.next_offset)]));
      return targets.every(
        ([topic, partition, offset]) => (stored.get(`${topic}:${partition}`) ?? -1n) >= offset,
      );
    },
    timeoutMs,
  );
}
