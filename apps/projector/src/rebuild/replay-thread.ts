/**
 * The first round of a rebuild for one topic, in a worker thread with its own Kafka client and
 * Postgres pool (ADR 0012): klp.events and klp.audit replay side by side on two cores, as the live
 * projector's consumers do (ADR 0011). `replayInThreads` starts one per topic and follows its
 * messages; the thread ends once its ranges are replayed, or fails with the error.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { PartitionReader, createKafka, type OffsetRange } from '@klp/kafka';
import { bulkWriterNamed, type BulkWriterName, type ProjectionKind } from '@klp/store';
import { createLogger, type LogThreshold } from '../log';
import type { Counts } from './progress';
import { createRebuildPool, rebuildProjection, type RebuildPoolOptions } from './rebuild-projection';
import { Replayer, type ReplayProgress } from './replay';

export interface ReplayThreadData extends RebuildPoolOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly groupId: string;
  readonly topic: string;
  readonly kind: ProjectionKind;
  readonly ranges: readonly OffsetRange[];
  readonly maxBatch: number;
  readonly cacheHosts?: number;
  readonly writer: BulkWriterName;
  readonly logLevel: LogThreshold;
}

/** What a replay thread tells the rebuild: offsets to replay and replayed, records skipped. */
export type ReplayThreadMessage =
  | { readonly type: 'total' | 'done'; readonly kind: keyof Counts; readonly offsets: number }
  | { readonly type: 'skipped'; readonly count: number }
  | { readonly type: 'failed'; readonly message: string };

async function replayTopic(data: ReplayThreadData): Promise<void> {
  const post = (message: ReplayThreadMessage) => parentPort?.postMessage(message);
  const log = createLogger('projections-rebuild', data.logLevel);
  const kafka = createKafka({ brokers: [...data.brokers], clientId: data.clientId });
  const pool = createRebuildPool(data, log);
  const projection = rebuildProjection(
    pool,
    { writer: bulkWriterNamed(data.writer), cacheHosts: data.cacheHosts },
    log,
    (count) => post({ type: 'skipped', count }),
  );
  const reader = new PartitionReader(kafka, {
    groupId: data.groupId,
    topics: [data.topic],
    timeoutMs: 2_147_483_647,
  });
  const progress: ReplayProgress = {
    addTotal: (kind, offsets) => post({ type: 'total', kind, offsets }),
    add: (kind, offsets) => post({ type: 'done', kind, offsets }),
  };
  try {
    await reader.start();
    const replayer = new Replayer(
      reader,
      projection,
      new Map([[data.topic, data.kind]]),
      data.maxBatch,
      progress,
    );
    await replayer.replay(data.ranges);
  } finally {
    await reader.stop().catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}

if (!isMainThread) {
  replayTopic(workerData as ReplayThreadData).then(
    () => process.exit(0),
    (error: Error) => {
      parentPort?.postMessage({ type: 'failed', message: error.message } satisfies ReplayThreadMessage);
      process.exit(1);
    },
  );
}
