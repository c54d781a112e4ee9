import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  createKafka,
  isFencedError,
  PartitionReader,
  provisionTopics,
  topicNames,
  type TopicNames,
} from '@klp/kafka';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { commitBatch, type TransactionSetup } from './batch-transaction';
import type { DeciderConfig } from './config';
import type { DecideFn } from './decide-batch';
import type { Logger } from './log';
import { PartitionOwner } from './partition-owner';
import { recoverPartition } from './recovery';
import { DeciderStats } from './stats';

export interface DeciderOptions {
  readonly config: DeciderConfig;
  readonly log: Logger;
  /** Told when kafkajs gives up on the consumer: the process should exit and be restarted. */
  readonly onFatal?: (error: Error) => void;
  /** For tests: a decide that misbehaves. */
  readonly decideFn?: DecideFn;
  readonly summaryEveryMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The write side's Kafka shell (ARCHITECTURE.md "Write side"): a consumer group on klp.commands
 * that keeps the hosts of its partitions in memory and turns each batch into one transaction.
 * kafkajs has no rebalance callbacks, so partitions are taken over lazily: the first batch of a
 * partition this instance does not own yet recovers it (fencing the previous owner first), and a
 * group join that no longer lists a partition lets go of it.
 */
export class Decider {
  readonly topics: TopicNames;
  readonly groupId: string;
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly consumer: Consumer;
  private readonly reader: PartitionReader;
  private readonly setup: TransactionSetup;
  private readonly owners = new Map<number, PartitionOwner>();
  private readonly recovering = new Map<number, Promise<PartitionOwner | null>>();
  private readonly stats = new DeciderStats();
  private assigned = new Set<number>();
  private summaryTimer?: NodeJS.Timeout;
  private stopping = false;

  constructor(private readonly options: DeciderOptions) {
    const { config, log } = options;
    const prefix = config.KLP_TOPIC_PREFIX;
    this.topics = topicNames(prefix);
    this.groupId = `${prefix}klp-decider`;
    this.kafka = createKafka({
      brokers: config.KAFKA_BROKERS,
      clientId: `${config.KLP_CLIENT_ID}-decider`,
      logLevel: 'warn',
      log: ({ level, message, extra }) => {
        // kafkajs warns of any bound on an idempotent producer's retries; a transactional one that
        // gives up aborts its whole transaction, which is safe (see transactional-batch.ts).
        if (message.includes('Limiting retries for the idempotent producer')) return;
        // CONCURRENT_TRANSACTIONS: a transaction begun while the previous one's markers are still
        // being written; kafkajs retries it, as the Java client does quietly.
        if (JSON.stringify(extra).includes('another concurrent operation on the same transaction')) {
          log.debug(message, { kafkajs: extra });
          return;
        }
        if (level === 'debug' || level === 'info') log.debug(message, { kafkajs: extra });
        else (level === 'error' ? log.error : log.warn)(message, { kafkajs: extra });
      },
    });
    this.admin = this.kafka.admin();
    const sessionTimeout = config.KLP_DECIDER_SESSION_TIMEOUT_MS;
    this.consumer = this.kafka.consumer({
      groupId: this.groupId,
      readUncommitted: false,
      sessionTimeout,
      heartbeatInterval: Math.min(3000, Math.floor(sessionTimeout / 5)),
      maxWaitTimeInMs: 500,
      // Room for a full 1 MiB fetch of every partition at once (the default 10 MiB starves some).
      maxBytes: Math.max(10, config.KLP_PARTITIONS) * 1024 * 1024,
      retry: { initialRetryTime: 200, retries: 10 },
    });
    this.reader = new PartitionReader(this.kafka, {
      groupId: `${this.groupId}-reader-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
      topics: [this.topics.events, this.topics.audit, this.topics.snapshots],
    });
    this.setup = {
      topics: this.topics,
      groupId: this.groupId,
      app: 'decider',
      policy: { every: config.KLP_SNAPSHOT_EVERY, maxReplay: config.KLP_SNAPSHOT_MAX_REPLAY },
      now: () => new Date(),
      decideFn: options.decideFn,
      onOversizedSnapshot: (hostId, bytes) =>
        log.warn('snapshot too large, host left to replay', { hostId, bytes }),
    };
  }

  /** Provisions the topics, joins the group and starts deciding; resolves once the group is joined. */
  async start(): Promise<void> {
    const { config, log } = this.options;
    await this.admin.connect();
    await provisionTopics(this.admin, { partitions: config.KLP_PARTITIONS, prefix: config.KLP_TOPIC_PREFIX });
    await this.reader.start();
    const joined = new Promise<void>((resolve) => {
      this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
        this.onAssignment(payload.memberAssignment[this.topics.commands] ?? []);
        resolve();
      });
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      log.error('consumer crashed', { error: payload.error, restart: payload.restart });
      if (!payload.restart && !this.stopping) this.options.onFatal?.(payload.error);
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topics.commands, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: config.KLP_PARTITIONS,
      eachBatch: (payload) => this.onBatch(payload),
    });
    await joined;
    this.summaryTimer = setInterval(() => this.summary(), this.options.summaryEveryMs ?? 10_000);
    this.summaryTimer.unref();
  }

  /** Finishes the batches in flight (no new chunk starts), leaves the group, lets go of everything. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.summaryTimer);
    await this.consumer.disconnect();
    this.summary();
    await Promise.all([...this.owners.values()].map((owner) => owner.close()));
    this.owners.clear();
    await Promise.allSettled([...this.recovering.values()]);
    await this.reader.stop().catch(() => undefined);
    await this.admin.disconnect();
  }

  private onAssignment(partitions: readonly number[]): void {
    this.assigned = new Set(partitions);
    for (const [partition, owner] of this.owners) {
      if (this.assigned.has(partition)) continue;
      this.owners.delete(partition);
      void owner.close();
      this.options.log.info('partition revoked', { partition });
    }
    this.options.log.info('partitions assigned', { partitions: [...partitions].sort((a, b) => a - b) });
    // Take new partitions over now, not at their first command: fencing the previous owner at once
    // ends the transaction it may have left open, which otherwise holds back every read_committed
    // reader of its partitions (the projector) until the transaction times out.
    for (const partition of partitions) {
      if (!this.owners.has(partition))
        this.ownerFor(partition, () => Promise.resolve()).catch(() => undefined);
    }
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const heartbeat = () => payload.heartbeat();
    const resolveOffset = (offset: string) => payload.resolveOffset(offset);
    if (batch.isEmpty() || this.stopping) return;
    const partition = batch.partition;
    const owner = await this.ownerFor(partition, heartbeat);
    if (!owner) return; // not taken over (yet): kafkajs fetches these records again
    const maxBatch = this.options.config.KLP_DECIDER_MAX_BATCH;
    const failed = await owner.exclusive(async () => {
      if (owner.isClosed) return false;
      const next = owner.state.nextOffset;
      // Records below the partition's committed offset are already decided (a batch fetched
      // again after a failure or a takeover): skipping them is what makes redelivery harmless.
      const records = batch.messages.filter((message) => next === null || BigInt(message.offset) >= next);
      if (records.length === 0) {
        resolveOffset(batch.messages[batch.messages.length - 1].offset);
        return false;
      }
      for (let start = 0; start < records.length; start += maxBatch) {
        if (!payload.isRunning() || payload.isStale()) return false;
        const chunk = records.slice(start, start + maxBatch);
        const began = Date.now();
        try {
          const result = await commitBatch(owner.producer, owner.state, chunk, this.setup);
          this.stats.batch(result, Date.now() - began);
          this.options.log.debug('batch committed', {
            partition,
            commands: chunk.length,
            ...result.decided.counts,
            events: result.decided.events.length,
            audit: result.auditRecords,
            snapshots: result.snapshots,
            ms: Date.now() - began,
          });
        } catch (error) {
          this.stats.aborted += 1;
          this.options.log.warn('batch transaction failed', {
            then: 'the transaction is aborted and the partition recovered again',
            partition,
            fenced: isFencedError(error),
            error,
          });
          return true;
        }
        resolveOffset(chunk[chunk.length - 1].offset);
      }
      return false;
    });
    if (failed) {
      // The outcome of the failed commit may be unknown: recovery from the log decides what happened.
      if (this.owners.get(partition) === owner) this.owners.delete(partition);
      await owner.close();
      return;
    }
    await heartbeat();
  }

  private ownerFor(partition: number, heartbeat: () => Promise<void>): Promise<PartitionOwner | null> {
    const owner = this.owners.get(partition);
    if (owner && !owner.isClosed) return Promise.resolve(owner);
    let pending = this.recovering.get(partition);
    if (!pending) {
      pending = this.recover(partition, heartbeat).finally(() => this.recovering.delete(partition));
      this.recovering.set(partition, pending);
    }
    return pending;
  }

  private async recover(partition: number, heartbeat: () => Promise<void>): Promise<PartitionOwner | null> {
    const { log } = this.options;
    let lostGroup: Error | undefined;
    const keepSession = async () => {
      try {
        await heartbeat();
      } catch (error) {
        lostGroup = error instanceof Error ? error : new Error('heartbeat failed');
        throw lostGroup;
      }
    };
    const began = Date.now();
    try {
      const recovered = await recoverPartition(
        {
          kafka: this.kafka,
          admin: this.admin,
          reader: this.reader,
          topics: this.topics,
          groupId: this.groupId,
          transactionalId: (p) => `${this.groupId}-p${p}`,
          log,
          heartbeat: keepSession,
        },
        partition,
      );
      if (!this.assigned.has(partition) || this.stopping) {
        await recovered.producer.disconnect().catch(() => undefined);
        return null;
      }
      const owner = new PartitionOwner(recovered.producer, recovered.state);
      this.owners.set(partition, owner);
      this.stats.recoveries += 1;
      log.info('partition recovered', {
        partition,
        hosts: recovered.state.size,
        snapshots: recovered.snapshots,
        replayed: recovered.replayed,
        nextOffset: recovered.state.nextOffset,
        ms: Date.now() - began,
      });
      return owner;
    } catch (error) {
      // A rebalance: kafkajs rejoins the group when the error reaches it.
      if (lostGroup !== undefined) throw lostGroup;
      log.error('partition recovery failed; retrying', { partition, error });
      await sleep(1000);
      return null;
    }
  }

  private summary(): void {
    const hosts = [...this.owners.values()].reduce((sum, owner) => sum + owner.state.size, 0);
    this.options.log.info('decider summary', {
      partitions: [...this.owners.keys()].sort((a, b) => a - b),
      hosts,
      ...this.stats.drain(),
    });
  }
}
