import type { OffsetRange, PartitionReader } from '@klp/kafka';
import type { Projection, ProjectionKind, SourceRecord } from '@klp/store';
import type { Admin } from 'kafkajs';
import type { Progress } from './progress';

/** What the replay reports to: the rebuild's progress line, or a replay thread's messages to it. */
export type ReplayProgress = Pick<Progress, 'addTotal' | 'add'>;

/** An offset of one topic partition: an end to reach, or where a read model stands. */
export interface Position {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/** A partition runs at most this many batches ahead of Postgres (memory stays bounded). */
const AHEAD = 2;

/**
 * The end of every partition a read_committed reader can reach: kafkajs' ListOffsets asks with
 * READ_COMMITTED, so `high` is the last stable offset (an open transaction is not waited for).
 */
export async function endOffsets(admin: Admin, topics: readonly string[]): Promise<Position[]> {
  const ends: Position[] = [];
  for (const topic of topics) {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) {
      ends.push({ topic, partition, offset: BigInt(high) });
    }
  }
  return ends;
}

export const rangeSize = (ranges: readonly OffsetRange[]) =>
  ranges.reduce((sum, range) => sum + Number(range.to - range.from), 0);

/**
 * Replays exact offset ranges of klp.events and klp.audit into a rebuild's read model, through the
 * projector's own `Projection` (same folds, same writers, same offsets table). Partitions are read
 * side by side by one `PartitionReader`; each partition's batches are applied in order while the
 * next fetch is under way, and batches of different partitions run at once (as many as the pool
 * has connections).
 */
export class Replayer {
  constructor(
    private readonly reader: PartitionReader,
    private readonly projection: Projection,
    private readonly kinds: ReadonlyMap<string, ProjectionKind>,
    private readonly maxBatch: number,
    private readonly progress: ReplayProgress,
  ) {}

  /** Where the rebuild's read model stands on each partition of `topics` (0 where it has no row). */
  async positions(topics: readonly string[]): Promise<Map<string, bigint>> {
    const positions = new Map<string, bigint>();
    for (const topic of topics) {
      for (const [partition, offset] of await this.projection.storedOffsets(topic))
        positions.set(`${topic}|${partition}`, BigInt(offset));
    }
    return positions;
  }

  /** The ranges from where the rebuild stands to `targets` (none where it is there already). */
  async rangesTo(targets: readonly Position[]): Promise<OffsetRange[]> {
    const positions = await this.positions([...new Set(targets.map((target) => target.topic))]);
    return targets.flatMap(({ topic, partition, offset: to }) => {
      const from = positions.get(`${topic}|${partition}`) ?? 0n;
      return from < to ? [{ topic, partition, from, to }] : [];
    });
  }

  /** Replays the ranges; counts them into the progress totals first. */
  async replay(ranges: readonly OffsetRange[]): Promise<void> {
    for (const range of ranges)
      this.progress.addTotal(this.kindOf(range.topic), Number(range.to - range.from));
    await Promise.all(ranges.map((range) => this.replayRange(range)));
  }

  private kindOf(topic: string): ProjectionKind {
    const kind = this.kinds.get(topic);
    if (!kind) throw new Error(`rebuild: ${topic} is neither the events nor the audit topic`);
    return kind;
  }

  private async replayRange(range: OffsetRange): Promise<void> {
    const { topic, partition } = range;
    const kind = this.kindOf(topic);
    let position = range.from;
    let queue: Promise<void> = Promise.resolve();
    let queued = 0;
    const enqueue = (records: readonly SourceRecord[], nextOffset: bigint) => {
      queued += 1;
      queue = queue.then(async () => {
        await this.projection.apply({ kind, topic, partition, records, nextOffset: nextOffset.toString() });
        // Offsets, not records: transaction markers take offsets too, and the total is in offsets.
        this.progress.add(kind, Number(nextOffset - position));
        position = nextOffset;
        queued -= 1;
      });
      // Awaited below; until then a failure must not count as an unhandled rejection.
      queue.catch(() => undefined);
    };
    await this.reader.read(range, async (messages) => {
      for (let at = 0; at < messages.length; at += this.maxBatch) {
        const chunk = messages.slice(at, at + this.maxBatch);
        enqueue(chunk, BigInt(chunk[chunk.length - 1].offset) + 1n);
      }
      if (queued > AHEAD) await queue;
    });
    // The range may end on transaction markers after its last record: the rebuild stands at its
    // end, so that it is never behind a live projector that counted them.
    enqueue([], range.to);
    await queue;
  }
}
