import type { HostEvent, HostView } from '@klp/contracts';
import { evolve, initialState, view, type HostState } from '@klp/domain';
import { auditRecordsFor, GENESIS_HEAD, type AuditHead } from './audit-chain';

/** What the decider holds of one host: the domain state plus what the Kafka shell adds to it. */
export interface HostEntry {
  readonly state: HostState;
  /** `view(state)`, kept so that each event costs one view, not two. */
  readonly view: HostView | null;
  readonly audit: AuditHead;
  /** The klp.events offset just after this host's last folded event (0 before its first). */
  readonly eventsOffset: bigint;
  /** Events folded since the host's last snapshot. */
  readonly sinceSnapshot: number;
}

export function freshEntry(hostId: string): HostEntry {
  return { state: initialState(hostId), view: null, audit: GENESIS_HEAD, eventsOffset: 0n, sinceSnapshot: 0 };
}

export function entryFromSnapshot(state: HostState, audit: AuditHead, eventsOffset: bigint): HostEntry {
  return { state, view: view(state), audit, eventsOffset, sinceSnapshot: 0 };
}

/**
 * Recovery's fold: the state only. The audit head is read from klp.audit instead of computed
 * again, so a newer view or diff in this code never breaks a chain written by an older one; the
 * view is computed once the replay is done ({@link withView}).
 */
export function replayEvent(entry: HostEntry, event: HostEvent, eventsOffset: bigint): HostEntry {
  return {
    ...entry,
    state: evolve(entry.state, event),
    eventsOffset,
    sinceSnapshot: entry.sinceSnapshot + 1,
  };
}

export function withView(entry: HostEntry): HostEntry {
  return { ...entry, view: view(entry.state) };
}

/**
 * Folds one event into a host with `evolve` (which also restores the domain's command memory, so
 * idempotency survives a restart) and chains its audit records. The same function serves the
 * decider and the recovery, so a recovered host is the host the decider had.
 */
export function foldEvent(
  entry: HostEntry,
  event: HostEvent,
  commandType: string,
): { entry: HostEntry; auditTexts: string[] } {
  const state = evolve(entry.state, event);
  // A rejection leaves the view as it was (only the command memory changes).
  const after = event.type === 'CommandRejected' ? entry.view : view(state);
  const { texts, head } = auditRecordsFor(event, commandType, entry.view, after, entry.audit);
  return {
    entry: {
      state,
      view: after,
      audit: head,
      eventsOffset: entry.eventsOffset,
      sinceSnapshot: entry.sinceSnapshot + 1,
    },
    auditTexts: texts,
  };
}
