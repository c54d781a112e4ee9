import { PartitionReader, type OffsetRange } from '@klp/kafka';
import {
  bulkWriterNamed,
  fenceKeysCollide,
  migrate,
  type BulkWriterName,
  type StoreOptions,
} from '@klp/store';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import type { LogThreshold, Logger } from '../log';
import type { ProjectorTopics } from '../topics';
import { buildDeferredIndexes, dropDeferredIndexes, type DeferredIndex } from './deferred-indexes';
import { Progress, type Counts } from './progress';
import { createRebuildPool, rebuildProjection } from './rebuild-projection';
import { Replayer, endOffsets, rangeSize } from './replay';
import { replayInThreads, replayThreadGroup } from './replay-threads';
import { dropSchema, swapSchemas } from './swap';

export interface RebuildOptions {
  readonly url: string;
  readonly kafka: Kafka;
  readonly topics: ProjectorTopics;
  /** The reader's consumer group, before a per-run suffix (it never commits offsets). */
  readonly groupPrefix: string;
  /** The live schema (`KLP_DB_SCHEMA`): rebuilt beside it, then swapped in under its name. */
  readonly schema: string;
  readonly migrations: NonNullable<StoreOptions['migrations']>;
  /** Keep the swapped-out schema (as `<schema>_old_<stamp>`) instead of dropping it. */
  readonly keepOld?: boolean;
  readonly maxBatch?: number;
  /** Batches applied at once (partitions side by side). */
  readonly concurrency?: number;
  /** `synchronous_commit` of the replay's batches (the swap itself always waits for its flush). */
  readonly synchronousCommit?: 'on' | 'off';
  readonly cacheHosts?: number;
  readonly writer?: BulkWriterName;
  /**
   * The first round (nearly all of a rebuild) in a worker thread per topic, each with a Kafka
   * client of its own on these brokers (ADR 0012). Without it, every round runs in this thread.
   */
  readonly replayThreads?: { readonly brokers: readonly string[]; readonly logLevel: LogThreshold };
  /** Catch-up rounds end when at most this many offsets are left; the rest is replayed fenced. */
  readonly swapLag?: number;
  readonly maxRounds?: number;
  readonly log: Logger;
  /** The progress line (stderr in the CLI), every `progressIntervalMs`. */
  readonly progress?: (line: string) => void;
  readonly progressIntervalMs?: number;
  readonly now?: () => Date;
  /** Called once caught up, before the swap takes the fence (specs make the live projector run ahead here). */
  readonly beforeSwap?: () => Promise<void>;
  /** Aborting before the swap stops the replay and drops the rebuild; the live schema is untouched. */
  readonly signal?: AbortSignal;
}

export interface RebuildReport {
  readonly schema: string;
  /** The name the rebuild had until the swap. */
  readonly rebuiltAs: string;
  /** The swapped-out schema if kept (`--keep-old`), else null (dropped, or there was none). */
  readonly keptOld: string | null;
  /** Offsets replayed per topic (records and transaction markers). */
  readonly replayed: Counts;
  readonly ms: number;
  readonly rounds: number;
  readonly fencedMs: number;
  readonly fencedOffsets: number;
  readonly deadLetters: number;
  /** The indexes built after the first round instead of during it (ADR 0012). */
  readonly deferredIndexes: readonly string[];
}

/** `20261128T001502123` → a schema-name-safe stamp, unique per millisecond. */
const stampOf = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:.Z]/g, '')
    .toLowerCase();

async function freshName(url: string, base: string, live: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      const name = attempt === 0 ? base : `${base}_${attempt}`;
      const { rows } = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [name]);
      if (rows.length === 0 && !(await fenceKeysCollide(client, name, live))) return name;
    }
  } finally {
    await client.end();
  }
}

/**
 * `npm run projections:rebuild` (ADR 0005): replays klp.events and klp.audit from offset 0 into a
 * fresh schema laid by the migrations while the live one serves, catches up to the topics' ends in
 * rounds, then swaps it in fenced against the live projector, and drops the old schema.
 */
export async function rebuildProjections(options: RebuildOptions): Promise<RebuildReport> {
  const { url, topics, log, schema: live } = options;
  const now = options.now ?? (() => new Date());
  const began = now().getTime();
  const stamp = stampOf(now());
  const rebuilt = await freshName(url, `${live}_rebuild_${stamp}`.slice(0, 63), live);
  const old = `${live}_old_${stamp}`.slice(0, 63);
  const topicList = [topics.events, topics.audit];
  const concurrency = options.concurrency ?? 2;
  const progress = new Progress(options.progress ?? (() => undefined));
  let deadLetters = 0;

  log('info', `laying schema ${rebuilt} with the migrations`);
  await migrate({ url, schema: rebuilt, migrations: options.migrations });
  const pool = createRebuildPool(
    { url, schema: rebuilt, concurrency, synchronousCommit: options.synchronousCommit },
    log,
  );
  let poolOpen = true;
  const closePool = async () => {
    if (poolOpen) await pool.end();
    poolOpen = false;
  };
  const writer = options.writer ?? 'hybrid';
  const countSkipped = (count: number) => (deadLetters += count);
  const projection = rebuildProjection(
    pool,
    { writer: bulkWriterNamed(writer), cacheHosts: options.cacheHosts },
    log,
    countSkipped,
  );
  // The reader's group; the replay threads' groups are named from it ahead, so that the cleanup
  // deletes them whatever happens.
  const groupId = `${options.groupPrefix}-${stamp}`;
  const reader = new PartitionReader(options.kafka, {
    groupId,
    topics: topicList,
    timeoutMs: 2_147_483_647,
  });
  const kinds = new Map([
    [topics.events, 'events' as const],
    [topics.audit, 'audit' as const],
  ]);
  const maxBatch = options.maxBatch ?? 5000;
  const replayer = new Replayer(reader, projection, kinds, maxBatch, progress);
  const threadGroups = [...kinds.values()].map((kind) => replayThreadGroup(groupId, kind));
  const replayRound = async (round: number, ranges: OffsetRange[]) => {
    if (round > 1 || !options.replayThreads) return replayer.replay(ranges);
    const { brokers, logLevel } = options.replayThreads;
    const shared = {
      url,
      schema: rebuilt,
      concurrency,
      synchronousCommit: options.synchronousCommit,
      brokers,
      clientId: `klp-rebuild-${stamp}`,
      maxBatch,
      cacheHosts: options.cacheHosts,
      writer,
      logLevel,
    };
    await replayInThreads(ranges, kinds, shared, groupId, progress, countSkipped, options.signal);
  };
  const admin = options.kafka.admin();
  let readerStopped = false;
  const stopReader = async () => {
    if (readerStopped) return;
    readerStopped = true;
    await reader.stop();
  };
  const onAbort = () => void stopReader().catch(() => undefined);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let swapped = false;
  let deferred: DeferredIndex[] = [];
  try {
    deferred = await dropDeferredIndexes(url, rebuilt);
    const deferredIndexes = deferred.map((index) => index.name);
    await admin.connect();
    await reader.start();
    progress.start(options.progressIntervalMs ?? 1000);
    let rounds = 0;
    for (;;) {
      const ranges = await replayer.rangesTo(await endOffsets(admin, topicList));
      const lag = rangeSize(ranges);
      if (rounds > 0 && (lag <= (options.swapLag ?? 10_000) || rounds >= (options.maxRounds ?? 10))) break;
      rounds += 1;
      progress.setPhase(rounds === 1 ? 'replaying' : `catching up, round ${rounds}`);
      log('info', `round ${rounds}: replaying ${lag} offsets`);
      await replayRound(rounds, ranges);
      if (options.signal?.aborted) throw new Error('rebuild aborted');
      if (deferred.length > 0) {
        progress.setPhase(`building ${deferred.length} indexes`);
        log('info', `building the ${deferred.length} indexes deferred until after the first round`);
        await buildDeferredIndexes(url, deferred, (index, ms) =>
          log('info', `built ${index.name} on ${index.table} in ${ms} ms`),
        );
        deferred = [];
      }
    }
    const hookStarted = now().getTime();
    await options.beforeSwap?.();
    const hookMs = now().getTime() - hookStarted;
    progress.setPhase('swapping, projector fenced');
    const swap = await swapSchemas({
      url,
      live,
      rebuilt,
      old,
      topics: topicList,
      catchUp: async (livePositions) => {
        const ranges = await replayer.rangesTo(livePositions);
        await replayer.replay(ranges);
        const behind = await replayer.rangesTo(livePositions);
        if (behind.length > 0)
          throw new Error(`rebuild still behind the live projector on ${behind.length} partition(s)`);
        return rangeSize(ranges);
      },
      beforeRename: closePool,
    });
    swapped = true;
    progress.stop();
    options.progress?.(progress.line());
    log('info', `swapped ${rebuilt} in as ${live}; the projector was fenced ${swap.fencedMs} ms`);
    let keptOld = swap.replaced ? old : null;
    if (keptOld && !options.keepOld) {
      await dropSchema(url, old).then(
        () => (keptOld = null),
        (error: Error) => log('error', `the swap is done, but dropping ${old} failed: ${error.message}`),
      );
    }
    return {
      schema: live,
      rebuiltAs: rebuilt,
      keptOld,
      replayed: { ...progress.done },
      ms: now().getTime() - began - hookMs,
      rounds,
      fencedMs: swap.fencedMs,
      fencedOffsets: swap.fencedOffsets,
      deadLetters,
      deferredIndexes,
    };
  } finally {
    progress.stop();
    options.signal?.removeEventListener('abort', onAbort);
    await stopReader().catch(() => undefined);
    await admin.deleteGroups([groupId, ...threadGroups]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await closePool().catch(() => undefined);
    if (!swapped) {
      log('warn', `rebuild not swapped in: dropping ${rebuilt}; ${live} is untouched`);
      await dropSchema(url, rebuilt).catch((error: Error) =>
        log('error', `dropping ${rebuilt}: ${error.message}`),
      );
    }
  }
}
