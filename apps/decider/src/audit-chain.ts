import {
  GENESIS_HASH,
  sealedAuditText,
  type AttributeChange,
  type HostEvent,
  type HostView,
} from '@klp/contracts';
import { auditChanges } from '@klp/domain';

/** The end of one host's audit chain: the next record gets `seq + 1` and `prevHash = hash`. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

export const GENESIS_HEAD: AuditHead = { seq: 0, hash: GENESIS_HASH };

/**
 * The audit records of one event as the JSON texts to produce, chained after `head`. An accepted event gets one record per
 * attribute that differs between the host views before and after it (ARCHITECTURE.md "Audit"), so
 * nothing changes without a record; a rejection changes no attribute and gets one record of its
 * own, `rejected: null → <errno>` (the reason is in the event).
 */
export function auditRecordsFor(
  event: HostEvent,
  commandType: string,
  before: HostView | null,
  after: HostView | null,
  head: AuditHead,
): { texts: string[]; head: AuditHead } {
  const changes: AttributeChange[] =
    event.type === 'CommandRejected'
      ? [{ entity: { kind: 'host' }, attribute: 'rejected', from: null, to: event.payload.errno }]
      : auditChanges(before, after);
  const texts: string[] = [];
  let { seq, hash } = head;
  changes.forEach((change, index) => {
    const sealed = sealedAuditText({
      schemaVersion: 1,
      hostId: event.hostId,
      seq: seq + 1,
      version: event.version,
      index,
      at: event.occurredAt,
      actor: event.actor,
      commandId: event.commandId,
      commandType,
      entity: change.entity,
      attribute: change.attribute,
      from: change.from,
      to: change.to,
      prevHash: hash,
    });
    texts.push(sealed.text);
    seq += 1;
    hash = sealed.hash;
  });
  return { texts, head: { seq, hash } };
}
