import { packAuditTexts, type CommandEnvelope, type HostEvent } from '@klp/contracts';
import { decide, type Decision, type HostState } from '@klp/domain';
import { parseCommandRecord } from './envelope';
import { foldEvent, type HostEntry } from './host-entry';
import type { BatchWork } from './partition-state';

/** One klp.commands record as consumed. */
export interface CommandRecord {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export interface DecidedEvent {
  readonly hostId: string;
  readonly commandType: string;
  readonly value: string;
}

export interface DecidedBatch {
  /** In decision order; each host's events in version order. */
  readonly events: DecidedEvent[];
  /** klp.audit values: each command's audit records packed (ADR 0013). */
  readonly audit: { readonly hostId: string; readonly value: string }[];
  /** The audit records the values hold. */
  auditRecords: number;
  readonly deadLetters: { readonly record: CommandRecord; readonly error: string }[];
  readonly counts: { accepted: number; rejected: number; duplicate: number; dead: number };
}

export type DecideFn = (command: CommandEnvelope, state: HostState) => Decision;

/** An event this large could not be produced (the broker's record batch limit is about 1 MiB). */
export const MAX_EVENT_BYTES = 800 * 1024;

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Decides a batch of one partition's commands in memory, in offset order, against `work` (the
 * batch's copy-on-write view of the partition). Every record ends as exactly one of: the events of
 * its outcome (accepted, or one CommandRejected), nothing (a repeated commandId), or a dead letter
 * (a record that cannot be parsed, or whose decision threw, which is a bug to look at, not a
 * reason to stop the partition). Nothing here does I/O: the caller produces the result in one
 * transaction, or drops `work` when that fails.
 */
export function decideBatch(
  work: BatchWork,
  records: readonly CommandRecord[],
  decideFn: DecideFn = decide,
): DecidedBatch {
  const result: DecidedBatch = {
    events: [],
    audit: [],
    auditRecords: 0,
    deadLetters: [],
    counts: { accepted: 0, rejected: 0, duplicate: 0, dead: 0 },
  };
  const dead = (record: CommandRecord, error: string) => {
    result.deadLetters.push({ record, error });
    result.counts.dead += 1;
  };
  for (const record of records) {
    const parsed = parseCommandRecord(record.key, record.value);
    if (!parsed.ok) {
      dead(record, parsed.error);
      continue;
    }
    const { command } = parsed;
    const before = work.get(command.hostId);
    let decision: Decision;
    let folded: { entry: HostEntry; values: string[]; auditTexts: string[] };
    try {
      decision = decideFn(command, before.state);
      if (decision.outcome === 'duplicate') {
        result.counts.duplicate += 1;
        continue;
      }
      folded = foldAll(before, decision.events, command.type);
    } catch (error) {
      dead(record, `deciding the command failed: ${errorText(error)}`);
      continue;
    }
    const tooLarge = folded.values.find((value) => Buffer.byteLength(value) > MAX_EVENT_BYTES);
    if (tooLarge !== undefined) {
      dead(record, `an event of this command would be ${Buffer.byteLength(tooLarge)} bytes, over the limit`);
      continue;
    }
    work.set(command.hostId, folded.entry);
    result.counts[decision.outcome] += 1;
    for (const value of folded.values) {
      result.events.push({ hostId: command.hostId, commandType: command.type, value });
    }
    for (const value of packAuditTexts(folded.auditTexts))
      result.audit.push({ hostId: command.hostId, value });
    result.auditRecords += folded.auditTexts.length;
  }
  return result;
}

function foldAll(entry: HostEntry, events: readonly HostEvent[], commandType: string) {
  let current = entry;
  const auditTexts: string[] = [];
  for (const event of events) {
    const next = foldEvent(current, event, commandType);
    current = next.entry;
    auditTexts.push(...next.auditTexts);
  }
  return { entry: current, values: events.map((event) => JSON.stringify(event)), auditTexts };
}
