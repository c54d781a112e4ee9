import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';

/** A half-open range of offsets `[from, to)` of one topic partition. */
export interface OffsetRange {
  readonly topic: string;
  readonly partition: number;
  readonly from: bigint;
  readonly to: bigint;
}

/** Handed the records of the range in offset order, a fetch at a time; may be async. */
export type RecordSink = (messages: readonly KafkaMessage[]) => void | Promise<void>;

export interface PartitionReaderOptions {
  /** A group of its own: the reader is its only member, so it is assigned every partition. */
  readonly groupId: string;
  readonly topics: readonly string[];
  /** How long one `read` may take before it fails (default 120 s). */
  readonly timeoutMs?: number;
  readonly maxBytesPerPartition?: number;
}

interface Request {
  readonly range: OffsetRange;
  readonly sink: RecordSink;
  next: bigint;
  failure?: Error;
  readonly done: (error?: Error) => void;
}

const keyOf = (topic: string, partition: number) => `${topic}|${partition}`;

/**
 * Reads given offset ranges of given partitions with read_committed, which kafkajs cannot do
 * directly (it has no `assign`): one long-lived consumer in a group of its own is assigned every
 * partition of its topics, keeps them all paused, and for each request seeks, resumes the one
 * partition until the range is passed, and pauses it again. One group join per process, not per
 * read. A range ends when a batch reaches its end, markers included: a batch of records in
 * eachBatch, a batch of only markers or aborted records in kafkajs' END_BATCH_PROCESS event, so a
 * range that ends on a commit marker completes.
 */
export class PartitionReader {
  private readonly consumer: Consumer;
  private readonly requests = new Map<string, Request>();
  private readonly timeoutMs: number;
  private running = false;

  constructor(
    kafka: Kafka,
    private readonly options: PartitionReaderOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
      retry: { initialRetryTime: 100, retries: 8 },
    });
  }

  async start(): Promise<void> {
    const topics = this.options.topics;
    const joined = new Promise<void>((resolve) => {
      // Emitted inside the join, before the first fetch: pausing here means nothing is read
      // until asked. A later join (a rebalance of this one-member group) resets positions, so
      // the ranges being read are sought again where they stood.
      this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
        // Each partition by number: pausing a whole topic would be undone for all its partitions
        // by the first pause of one of them (kafkajs clears `pauseAll` then).
        this.consumer.pause(
          Object.entries(payload.memberAssignment).map(([topic, partitions]) => ({ topic, partitions })),
        );
        for (const request of this.requests.values()) this.activate(request, request.next);
        resolve();
      });
    });
    // A batch of only transaction markers or aborted records never reaches eachBatch; kafkajs
    // reports it here (batchSize 0), and it may be what ends a range.
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize > 0) return;
      const request = this.requests.get(keyOf(payload.topic, payload.partition));
      if (request && BigInt(payload.lastOffset) + 1n >= request.range.to) this.finish(request);
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    await joined;
    this.running = true;
  }

  /** Hands every committed record of `range` to `sink`, in order; resolves once the range is passed. */
  read(range: OffsetRange, sink: RecordSink): Promise<void> {
    if (!this.running) return Promise.reject(new Error('PartitionReader: not started'));
    if (range.from >= range.to) return Promise.resolve();
    const key = keyOf(range.topic, range.partition);
    if (this.requests.has(key)) {
      return Promise.reject(new Error(`PartitionReader: ${key} is already being read`));
    }
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => this.finish(request, new Error(`reading ${key} [${range.from}, ${range.to}) timed out`)),
        this.timeoutMs,
      );
      const request: Request = {
        range,
        sink,
        next: range.from,
        done: (error) => {
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        },
      };
      this.requests.set(key, request);
      this.activate(request, range.from);
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const request of [...this.requests.values()])
      this.finish(request, new Error('PartitionReader stopped'));
    await this.consumer.disconnect();
  }

  private activate(request: Request, offset: bigint): void {
    const { topic, partition } = request.range;
    this.consumer.seek({ topic, partition, offset: offset.toString() });
    this.consumer.resume([{ topic, partitions: [partition] }]);
  }

  private finish(request: Request, error?: Error): void {
    const { topic, partition } = request.range;
    const key = keyOf(topic, partition);
    if (this.requests.get(key) !== request) return;
    this.requests.delete(key);
    this.consumer.pause([{ topic, partitions: [partition] }]);
    request.done(error ?? request.failure);
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const request = this.requests.get(keyOf(batch.topic, batch.partition));
    if (!request || request.failure || payload.isStale()) return;
    const { next } = request;
    const wanted = batch.messages.filter((message) => {
      const offset = BigInt(message.offset);
      return offset >= next && offset < request.range.to;
    });
    try {
      if (wanted.length > 0) {
        await request.sink(wanted);
        request.next = BigInt(wanted[wanted.length - 1].offset) + 1n;
      }
    } catch (error) {
      // Never throw into kafkajs' loop: the read fails, the reader goes on serving others.
      request.failure = error instanceof Error ? error : new Error(String(error));
      this.finish(request);
      return;
    }
    // lastOffset() counts the markers at the end of the batch too.
    if (BigInt(batch.lastOffset()) + 1n >= request.range.to) this.finish(request);
  }
}
