import type { DeadLetter } from '@klp/contracts';
import { Projection, hybridWriter, type BatchResult, type BulkWriter, type ProjectionKind } from '@klp/store';
import {
  Partitioners,
  type Batch,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type Producer,
} from 'kafkajs';
import type { Pool } from 'pg';
import type { Logger } from './log';
import type { ProjectorTopics } from './topics';

export interface ProjectorOptions {
  readonly kafka: Kafka;
  readonly pool: Pool;
  readonly topics: ProjectorTopics;
  readonly groupId: string;
  readonly maxBatch: number;
  readonly cacheHosts: number;
  readonly sessionTimeoutMs?: number;
  readonly writer?: BulkWriter;
  /** Partitions in flight at once (kafkajs' partitionsConsumedConcurrently); the pool needs as many connections. */
  readonly concurrency?: number;
  /** The topics this consumer projects (default both): main.ts runs one consumer per kind (ADR 0009). */
  readonly kinds?: readonly ProjectionKind[];
  readonly log: Logger;
  /** The consumer crashed and kafkajs will not restart it: the process should exit (and be restarted). */
  readonly onFatal?: (error: Error) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tp = (topic: string, partition: number) => `${topic}:${partition}`;

/**
 * The Kafka shell around the projection: a read_committed consumer of klp.events and klp.audit
 * whose positions live in Postgres (`projection_offsets`), not in the group's committed offsets,
 * which it never writes. On every assignment it seeks each partition to the stored offset; until a
 * partition's first batch shows the consumer is there (or before it), it applies nothing of it.
 */
export class Projector {
  readonly projection: Projection;
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly kinds: ReadonlyMap<string, ProjectionKind>;
  /** Partitions whose fetch position has been checked against Postgres since the last assignment. */
  private readonly verified = new Set<string>();
  /** The offset each partition was last sought to since the last assignment. */
  private readonly sought = new Map<string, bigint>();
  private assigned = new Map<string, number[]>();
  private totals = { applied: 0, deadLetters: 0, batches: 0 };
  private reporter: NodeJS.Timeout | undefined;

  constructor(private readonly options: ProjectorOptions) {
    const { kafka, topics } = options;
    const kinds = options.kinds ?? ['events', 'audit'];
    this.kinds = new Map(
      (
        [
          [topics.events, 'events'],
          [topics.audit, 'audit'],
        ] as const
      ).filter(([, kind]) => kinds.includes(kind)),
    );
    const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 500,
      sessionTimeout,
      heartbeatInterval: Math.min(3000, Math.floor(sessionTimeout / 3)),
    });
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.projection = new Projection(options.pool, {
      app: 'projector',
      cacheHosts: options.cacheHosts,
      writer: options.writer ?? hybridWriter(),
      publishDeadLetters: (letters) => this.publish(letters),
      log: (level, message) => options.log(level, message),
    });
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.kinds.keys()], fromBeginning: true });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.onAssignment(payload.memberAssignment).catch((error: Error) =>
        this.options.log(
          'warn',
          `seeking to the stored offsets failed; the first batches will seek: ${error.message}`,
        ),
      );
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.options.onFatal?.(payload.error);
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Batches of different partitions touch different hosts (a host lives in one partition), so
      // they can be applied side by side; one partition's batches still come one after the other.
      partitionsConsumedConcurrently: this.options.concurrency ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.reporter = setInterval(() => this.report(), 10_000);
    this.reporter.unref();
  }

  /** Finishes the batch in hand, then leaves the group; the pool is the caller's. */
  async stop(): Promise<void> {
    clearInterval(this.reporter);
    await this.consumer.disconnect();
    await this.producer.disconnect();
    this.report();
  }

  private async onAssignment(assignment: Record<string, number[]>): Promise<void> {
    const previous = this.assigned;
    this.assigned = new Map(Object.entries(assignment));
    this.verified.clear();
    this.sought.clear();
    for (const [topic, partitions] of previous) {
      const kind = this.kinds.get(topic);
      const kept = new Set(this.assigned.get(topic) ?? []);
      if (kind)
        for (const partition of partitions)
          if (!kept.has(partition)) this.projection.forgetPartition(kind, partition);
    }
    for (const [topic, partitions] of this.assigned) {
      const stored = await this.projection.storedOffsets(topic);
      for (const partition of partitions) this.seek(topic, partition, BigInt(stored.get(partition) ?? '0'));
    }
    this.options.log('info', 'partitions assigned; sought to the offsets stored in Postgres', { assignment });
  }

  private seek(topic: string, partition: number, offset: bigint): void {
    this.sought.set(tp(topic, partition), offset);
    this.consumer.seek({ topic, partition, offset: offset.toString() });
  }

  /**
   * The first batch of a partition after an assignment must start at the stored offset. One that
   * starts after it would skip records (the group's offsets ran ahead of Postgres, or the seek has
   * not landed yet); one before it would only replay skipped records. Either way: seek there, once.
   * Served from after it again, the records in between are not in the log any more (or were all
   * filtered: transaction markers, aborted records) and the partition goes on from there.
   */
  private async positioned(batch: Batch): Promise<boolean> {
    const key = tp(batch.topic, batch.partition);
    if (this.verified.has(key)) return true;
    const stored = BigInt((await this.projection.storedOffsets(batch.topic)).get(batch.partition) ?? '0');
    const fetched = BigInt(
      (batch as Batch & { fetchedOffset?: string }).fetchedOffset ?? batch.firstOffset() ?? '0',
    );
    if (fetched !== stored && this.sought.get(key) !== stored) {
      this.seek(batch.topic, batch.partition, stored);
      return false;
    }
    if (fetched > stored) {
      this.options.log(
        'warn',
        `${key}: Kafka serves from ${fetched}, Postgres is at ${stored}; no record in between is readable`,
      );
    }
    this.verified.add(key);
    return true;
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const heartbeat = () => payload.heartbeat();
    const isRunning = () => payload.isRunning();
    const isStale = () => payload.isStale();
    const kind = this.kinds.get(batch.topic);
    if (!kind || isStale() || !(await this.positioned(batch))) return;
    const { messages } = batch;
    for (let start = 0; start < messages.length; start += this.options.maxBatch) {
      if (!isRunning() || isStale()) return;
      const chunk = messages.slice(start, start + this.options.maxBatch);
      const last = start + chunk.length >= messages.length;
      const result = await this.applyWithRetry(
        {
          kind,
          topic: batch.topic,
          partition: batch.partition,
          records: chunk,
          nextOffset: last ? (BigInt(batch.lastOffset()) + 1n).toString() : undefined,
        },
        heartbeat,
        isRunning,
      );
      this.totals.applied += result.applied;
      this.totals.deadLetters += result.deadLetters;
      this.totals.batches += 1;
      payload.resolveOffset(chunk[chunk.length - 1].offset);
      await heartbeat();
    }
  }

  /** Postgres or the DLQ being away is waited out (the batch is whole or absent in Postgres). */
  private async applyWithRetry(
    batch: Parameters<Projection['apply']>[0],
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<BatchResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.projection.apply(batch);
      } catch (error) {
        if (!isRunning()) throw error;
        const delay = Math.min(100 * 2 ** (attempt - 1), 5000);
        this.options.log(
          'error',
          `${tp(batch.topic, batch.partition)}: batch failed, retrying in ${delay} ms`,
          {
            error: (error as Error).message,
            attempt,
          },
        );
        await sleep(delay);
        await heartbeat();
      }
    }
  }

  private async publish(letters: readonly DeadLetter[]): Promise<void> {
    await this.producer.send({
      topic: this.options.topics.dlq,
      messages: letters.map((letter) => ({ key: letter.key, value: JSON.stringify(letter) })),
    });
    for (const letter of letters) {
      this.options.log(
        'warn',
        `dead letter ${letter.sourceTopic}[${letter.sourcePartition}]@${letter.sourceOffset}`,
        {
          error: letter.error,
        },
      );
    }
  }

  private report(): void {
    if (this.totals.batches === 0) return;
    this.options.log('info', 'projected', { ...this.totals, cachedHosts: this.projection.cachedHosts });
    this.totals = { applied: 0, deadLetters: 0, batches: 0 };
  }
}
