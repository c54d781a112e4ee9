import { freshEntry, type HostEntry } from './host-entry';

export interface SnapshotPolicy {
  /** Snapshot a host after this many of its events (KLP_SNAPSHOT_EVERY). */
  readonly every: number;
  /**
   * Snapshot a host whose oldest unsnapshotted event lies more than this many klp.events offsets
   * behind the end (KLP_SNAPSHOT_MAX_REPLAY): recovery never replays more than that (plus a batch).
   */
  readonly maxReplay: number;
}

/** Offsets of klp.events and klp.audit (same partition) from which a recovery replays. */
export interface ReplayPoint {
  readonly events: bigint;
  readonly audit: bigint;
}

/**
 * The committed state of one klp.commands partition: its hosts, which of them have events that
 * their latest snapshot does not include ("dirty", by where their first such event and audit
 * record may be), and the next command offset to decide. Only `commit` changes it, with what one
 * committed transaction wrote; a batch works on a {@link BatchWork} over it and is dropped when its
 * transaction fails.
 */
export class PartitionState {
  constructor(
    readonly partition: number,
    private readonly hosts: Map<string, HostEntry>,
    /** Insertion order is ascending replay point: the first entry is the partition's replay point. */
    private dirtyHosts: Map<string, ReplayPoint>,
    /** Offsets just after the last event and the last audit record of this partition. */
    public end: ReplayPoint,
    /** The next klp.commands offset to decide; null until known (nothing committed yet). */
    public nextOffset: bigint | null,
    /** The replay point last written to klp.snapshots. */
    public checkpoint: ReplayPoint | null,
  ) {}

  get size(): number {
    return this.hosts.size;
  }

  get dirty(): ReadonlyMap<string, ReplayPoint> {
    return this.dirtyHosts;
  }

  entry(hostId: string): HostEntry | undefined {
    return this.hosts.get(hostId);
  }

  commit(work: BatchWork, plan: SnapshotPlan<unknown>, nextOffset: bigint | null): void {
    for (const [hostId, entry] of work.touched) this.hosts.set(hostId, entry);
    this.dirtyHosts = plan.dirty;
    this.end = work.end;
    this.checkpoint = plan.checkpoint;
    this.nextOffset = nextOffset;
  }
}

/** The copy-on-write view of one batch: reads fall through to the partition, writes stay here. */
export class BatchWork {
  readonly touched = new Map<string, HostEntry>();
  /** Hosts that got their first unsnapshotted event in this batch, in event order. */
  readonly newlyDirty = new Map<string, ReplayPoint>();
  end: ReplayPoint;

  constructor(readonly base: PartitionState) {
    this.end = base.end;
  }

  get(hostId: string): HostEntry {
    return this.touched.get(hostId) ?? this.base.entry(hostId) ?? freshEntry(hostId);
  }

  set(hostId: string, entry: HostEntry): void {
    this.touched.set(hostId, entry);
  }

  /**
   * Records where the batch landed: each host's events offset, who became dirty (from its first
   * event of the batch, and from the batch's first audit record), and the new ends.
   */
  place(hostIds: readonly string[], eventOffsets: readonly bigint[], auditOffsets: readonly bigint[]): void {
    const auditStart = auditOffsets[0] ?? this.end.audit;
    let eventsEnd = this.end.events;
    hostIds.forEach((hostId, index) => {
      const offset = eventOffsets[index];
      this.set(hostId, { ...this.get(hostId), eventsOffset: offset + 1n });
      if (!this.base.dirty.has(hostId) && !this.newlyDirty.has(hostId)) {
        this.newlyDirty.set(hostId, { events: offset, audit: auditStart });
      }
      if (offset + 1n > eventsEnd) eventsEnd = offset + 1n;
    });
    const lastAudit = auditOffsets[auditOffsets.length - 1];
    this.end = { events: eventsEnd, audit: lastAudit === undefined ? this.end.audit : lastAudit + 1n };
  }
}

export interface SnapshotPlan<M> {
  /** Hosts snapshotted in this transaction, and their records. */
  readonly hostIds: string[];
  readonly messages: M[];
  /** Dirty hosts once these snapshots are committed, in replay-point order. */
  readonly dirty: Map<string, ReplayPoint>;
  /** The replay point: the first remaining dirty host's, or the end of the partition. */
  readonly checkpoint: ReplayPoint;
}

/**
 * Which snapshots are due after a batch. A host is due after `every` events, or when its oldest
 * unsnapshotted event is more than `maxReplay` offsets behind the end; so a host with few events
 * is snapshotted too, and the replay point never lags more than `maxReplay` behind. `encode` makes
 * the record (null: it cannot be written, the host stays dirty). Marks the snapshotted hosts clean
 * in `work` (their counters restart).
 *
 * Invariant kept (ADR 0003): every event and audit record of the partition before `checkpoint` is
 * included in the latest snapshot of its host.
 */
export function planSnapshots<M>(
  work: BatchWork,
  policy: SnapshotPolicy,
  encode: (hostId: string, entry: HostEntry) => M | null,
): SnapshotPlan<M> {
  const dirty = new Map(work.base.dirty);
  for (const [hostId, point] of work.newlyDirty) dirty.set(hostId, point);
  const due = new Set<string>();
  for (const [hostId, entry] of work.touched) if (entry.sinceSnapshot >= policy.every) due.add(hostId);
  const threshold = work.end.events - BigInt(policy.maxReplay);
  for (const [hostId, point] of dirty) {
    if (point.events >= threshold) break;
    due.add(hostId);
  }
  const hostIds: string[] = [];
  const messages: M[] = [];
  for (const hostId of due) {
    const entry = work.get(hostId);
    const message = encode(hostId, entry);
    if (message === null) continue;
    hostIds.push(hostId);
    messages.push(message);
    work.set(hostId, { ...entry, sinceSnapshot: 0 });
    dirty.delete(hostId);
  }
  const first = dirty.values().next();
  return { hostIds, messages, dirty, checkpoint: first.done ? work.end : first.value };
}
