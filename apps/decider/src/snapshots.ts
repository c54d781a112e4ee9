import type { HostState } from '@klp/domain';
import type { Message } from 'kafkajs';
import type { AuditHead } from './audit-chain';
import type { HostEntry } from './host-entry';
import type { ReplayPoint } from './partition-state';

/**
 * Records of klp.snapshots (compacted, co-partitioned: partition P holds the records of the hosts
 * of klp.commands/klp.events partition P). See docs/adr/0003-decider-exactly-once.md.
 *
 * - key `<hostId>`: the decider's state of one host and the klp.events offset it includes.
 * - key `#checkpoint`: the partition's replay point: every event before `eventsOffset` and every
 *   audit record before `auditOffset` is included in the latest snapshot of its host.
 * - key `#recovery`: written by each recovery in a transaction of its own; reading the partition up
 *   to it is reading everything committed before the recovery began.
 *
 * `#` is not allowed in a hostId, so these keys never meet a host's.
 */
export const CHECKPOINT_KEY = '#checkpoint';
export const RECOVERY_KEY = '#recovery';

export interface HostSnapshot {
  readonly schemaVersion: 1;
  readonly kind: 'host';
  readonly hostId: string;
  /** klp.events offset just after the last event folded into `state` (decimal string). */
  readonly eventsOffset: string;
  readonly audit: AuditHead;
  readonly state: HostState;
}

export interface PartitionCheckpoint {
  readonly schemaVersion: 1;
  readonly kind: 'checkpoint';
  readonly partition: number;
  /** Recovery replays klp.events of this partition from here (decimal string). */
  readonly eventsOffset: string;
  /** ... and reads the audit chain heads from klp.audit from here (decimal string). */
  readonly auditOffset: string;
}

export interface RecoveryMark {
  readonly schemaVersion: 1;
  readonly kind: 'recovery';
  readonly partition: number;
  readonly owner: string;
  readonly at: string;
}

export type SnapshotRecord = HostSnapshot | PartitionCheckpoint | RecoveryMark;

export function snapshotMessage(hostId: string, entry: HostEntry): Message {
  const snapshot: HostSnapshot = {
    schemaVersion: 1,
    kind: 'host',
    hostId,
    eventsOffset: entry.eventsOffset.toString(),
    audit: entry.audit,
    state: entry.state,
  };
  return { key: hostId, value: JSON.stringify(snapshot) };
}

export function checkpointMessage(partition: number, point: ReplayPoint): Message {
  const checkpoint: PartitionCheckpoint = {
    schemaVersion: 1,
    kind: 'checkpoint',
    partition,
    eventsOffset: point.events.toString(),
    auditOffset: point.audit.toString(),
  };
  return { key: CHECKPOINT_KEY, value: JSON.stringify(checkpoint) };
}

export function recoveryMessage(partition: number, owner: string, at: Date): Message {
  const mark: RecoveryMark = { schemaVersion: 1, kind: 'recovery', partition, owner, at: at.toISOString() };
  return { key: RECOVERY_KEY, value: JSON.stringify(mark) };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads one klp.snapshots record; throws on a shape this version does not know. */
export function parseSnapshotRecord(value: Buffer | null): SnapshotRecord | null {
  if (value === null) return null; // a tombstone: nothing to restore
  const raw: unknown = JSON.parse(value.toString('utf8'));
  if (!isObject(raw) || raw.schemaVersion !== 1) throw new Error('unknown snapshot schemaVersion');
  const offset = raw.eventsOffset;
  switch (raw.kind) {
    case 'host':
      if (typeof raw.hostId !== 'string' || typeof offset !== 'string' || !isObject(raw.state)) {
        throw new Error('malformed host snapshot');
      }
      if (!isObject(raw.audit) || typeof raw.audit.seq !== 'number' || typeof raw.audit.hash !== 'string') {
        throw new Error('malformed host snapshot audit head');
      }
      return raw as unknown as HostSnapshot;
    case 'checkpoint':
      if (typeof offset !== 'string' || typeof raw.auditOffset !== 'string')
        throw new Error('malformed checkpoint');
      return raw as unknown as PartitionCheckpoint;
    case 'recovery':
      return raw as unknown as RecoveryMark;
    default:
      throw new Error(`unknown snapshot kind ${JSON.stringify(raw.kind)}`);
  }
}
