import { freshEntry, type HostEntry } from './host-entry';
import {
  BatchWork,
  PartitionState,
  planSnapshots,
  type ReplayPoint,
  type SnapshotPolicy,
} from './partition-state';

const policy: SnapshotPolicy = { every: 3, maxReplay: 100 };
const at = (events: bigint, audit = events * 10n): ReplayPoint => ({ events, audit });

function partition(dirty: [string, ReplayPoint][] = [], end = at(0n)): PartitionState {
  const hosts = new Map<string, HostEntry>(
    dirty.map(([hostId]) => [hostId, { ...freshEntry(hostId), sinceSnapshot: 1 }]),
  );
  return new PartitionState(0, hosts, new Map(dirty), end, null, null);
}

/**
 * Folds events of hosts into the batch and places them the way commitBatch does: events at the
 * given offsets, two audit records per event from `auditBase`.
 */
function events(work: BatchWork, placed: [string, bigint][], auditBase = placed[0][1] * 10n): void {
  for (const [hostId] of placed) {
    const entry = work.get(hostId);
    work.set(hostId, { ...entry, sinceSnapshot: entry.sinceSnapshot + 1 });
  }
  work.place(
    placed.map(([hostId]) => hostId),
    placed.map(([, offset]) => offset),
    placed.flatMap((_, i) => [auditBase + BigInt(2 * i), auditBase + BigInt(2 * i + 1)]),
  );
}

const encode = (hostId: string) => hostId;

describe('snapshot planning', () => {
  it('snapshots a host once it has `every` events since its last snapshot, and not before', () => {
    const work = new BatchWork(partition());
    events(work, [
      ['a', 0n],
      ['a', 1n],
      ['b', 2n],
      ['b', 3n],
      ['b', 4n],
    ]);
    const plan = planSnapshots(work, policy, encode);
    expect(plan.hostIds).toEqual(['b']);
    expect(work.get('b').sinceSnapshot).toBe(0);
    expect(work.get('b').eventsOffset).toBe(5n);
    // a stays dirty from its first event and the batch's first audit record: the replay point.
    expect([...plan.dirty]).toEqual([['a', at(0n, 0n)]]);
    expect(plan.checkpoint).toEqual(at(0n, 0n));
    expect(work.end).toEqual(at(5n, 10n));
  });

  it('moves the replay point to the end of the partition once no host is dirty', () => {
    const work = new BatchWork(partition());
    events(work, [
      ['a', 10n],
      ['a', 11n],
      ['a', 12n],
    ]);
    const plan = planSnapshots(work, policy, encode);
    expect(plan.hostIds).toEqual(['a']);
    expect(plan.dirty.size).toBe(0);
    expect(plan.checkpoint).toEqual({ events: 13n, audit: 106n });
  });

  it('snapshots a host with fewer events than the interval once it is maxReplay behind', () => {
    const base = partition([['quiet', at(5n)]], at(6n));
    expect(planSnapshots(new BatchWork(base), policy, encode).hostIds).toEqual([]); // 6 - 100 < 5
    const work = new BatchWork(base);
    events(work, [
      ['busy', 104n],
      ['busy', 105n],
    ]);
    const plan = planSnapshots(work, policy, encode); // 106 - 100 > 5: quiet is due
    expect(plan.hostIds).toEqual(['quiet']);
    expect([...plan.dirty]).toEqual([['busy', at(104n)]]);
    expect(plan.checkpoint).toEqual(at(104n));
  });

  it('keeps a host dirty when its snapshot cannot be written', () => {
    const work = new BatchWork(partition());
    events(work, [
      ['huge', 0n],
      ['huge', 1n],
      ['huge', 2n],
    ]);
    const plan = planSnapshots(work, policy, () => null);
    expect(plan.hostIds).toEqual([]);
    expect([...plan.dirty]).toEqual([['huge', at(0n)]]);
    expect(work.get('huge').sinceSnapshot).toBe(3);
  });

  it('leaves the partition as it was until commit (copy-on-write per batch)', () => {
    const base = partition([['a', at(0n)]], at(1n));
    const before = base.entry('a');
    const work = new BatchWork(base);
    events(work, [
      ['a', 1n],
      ['a', 2n],
      ['b', 3n],
    ]);
    const plan = planSnapshots(work, policy, encode);
    expect(base.entry('a')).toBe(before);
    expect(base.entry('b')).toBeUndefined();
    expect([...base.dirty]).toEqual([['a', at(0n)]]);
    base.commit(work, plan, 42n);
    expect(base.entry('a')?.eventsOffset).toBe(3n);
    expect(base.entry('b')?.eventsOffset).toBe(4n);
    expect([...base.dirty]).toEqual([['b', at(3n, 10n)]]);
    expect(base.nextOffset).toBe(42n);
    expect(base.checkpoint).toEqual(at(3n, 10n));
    expect(base.end).toEqual(at(4n, 16n));
  });
});
