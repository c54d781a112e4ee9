import {
  CompressionTypes,
  Partitioners,
  type Kafka,
  type Message,
  type Producer,
  type RecordMetadata,
  type Transaction,
} from 'kafkajs';

/**
 * A broker refuses a record batch over `max.message.bytes` (1 MiB by default), and kafkajs puts
 * every record of one send for one partition into one batch: sends are cut below that.
 */
export const MAX_BATCH_BYTES = 900 * 1024;

/** Records of one topic, to one explicit partition (or left to the key partitioner when absent). */
export interface PartitionMessages {
  readonly topic: string;
  readonly partition?: number;
  readonly messages: readonly Message[];
  /** Gzip this topic's records (worth it for large, rare ones such as snapshots). */
  readonly compress?: boolean;
}

function sizeOf(message: Message): number {
  const length = (value: Message['value'] | Message['key']) =>
    value == null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  let headers = 0;
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    headers += name.length + (typeof value === 'string' ? Buffer.byteLength(value) : 16);
  }
  return 24 + length(message.key) + length(message.value) + headers;
}

/** Splits messages into runs of at most `maxBytes` each (a single larger message gets a run alone). */
export function chunkBySize<T extends Message>(messages: readonly T[], maxBytes = MAX_BATCH_BYTES): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = sizeOf(message);
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Sends everything within one transaction, in as few requests as the batch size limit allows:
 * request i carries the i-th chunk of every topic partition. Answers, for each entry that named a
 * partition, the offset of each of its messages (the base offset of a chunk plus the position in
 * it: the broker writes one chunk as one contiguous batch).
 */
export async function sendInChunks(
  transaction: Transaction,
  entries: readonly PartitionMessages[],
  maxBytes = MAX_BATCH_BYTES,
): Promise<bigint[][]> {
  const chunked = entries.map((entry) => chunkBySize(entry.messages, maxBytes));
  const offsets: bigint[][] = entries.map(() => []);
  const rounds = Math.max(0, ...chunked.map((chunks) => chunks.length));
  for (let round = 0; round < rounds; round++) {
    const inRound = entries.flatMap((entry, index) =>
      chunked[index][round] ? [{ entry, index, messages: chunked[index][round] }] : [],
    );
    const plain = inRound.filter(({ entry }) => !entry.compress);
    const gzipped = inRound.filter(({ entry }) => entry.compress);
    for (const group of [plain, gzipped]) {
      if (group.length === 0) continue;
      const metadata = await transaction.sendBatch({
        acks: -1,
        compression: group === gzipped ? CompressionTypes.GZIP : CompressionTypes.None,
        topicMessages: group.map(({ entry, messages }) => ({
          topic: entry.topic,
          messages: messages.map((message) =>
            entry.partition === undefined || message.partition === entry.partition
              ? message
              : { ...message, partition: entry.partition },
          ),
        })),
      });
      for (const { entry, index, messages } of group) {
        if (entry.partition === undefined) continue;
        const base = baseOffsetOf(metadata, entry.topic, entry.partition);
        messages.forEach((_, position) => offsets[index].push(base + BigInt(position)));
      }
    }
  }
  return offsets;
}

function baseOffsetOf(metadata: readonly RecordMetadata[], topic: string, partition: number): bigint {
  const found = metadata.find((item) => item.topicName === topic && item.partition === partition);
  const base = found?.baseOffset ?? found?.offset;
  if (base === undefined) throw new Error(`no offset in the produce response for ${topic}[${partition}]`);
  return BigInt(base);
}

/**
 * A transactional producer for one transactional id. Retries are bounded: a send that keeps
 * failing aborts the whole transaction, which is safe, instead of blocking the partition forever.
 */
export function createTransactionalProducer(
  kafka: Kafka,
  transactionalId: string,
  options: { transactionTimeoutMs?: number } = {},
): Producer {
  return kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: options.transactionTimeoutMs ?? 60_000,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 6 },
  });
}

/**
 * Starts the producer's first transaction. For a transactional producer kafkajs sends
 * InitProducerId only here, not in `connect`: this is the step that bumps the epoch, fences any
 * earlier holder of the same transactional id and completes (aborts or finishes committing) the
 * transaction it left open.
 */
export async function beginFencing(producer: Producer): Promise<Transaction> {
  await producer.connect();
  return producer.transaction();
}

const FENCING_ERRORS = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);

/** True when another producer took over the transactional id: this one must stop writing. */
export function isFencedError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const type = (current as Error & { type?: unknown }).type;
    if (typeof type === 'string' && FENCING_ERRORS.has(type)) return true;
    current =
      (current as Error & { originalError?: unknown; cause?: unknown }).originalError ?? current.cause;
  }
  return false;
}
