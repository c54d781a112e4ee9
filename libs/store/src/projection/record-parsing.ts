import {
  auditMembers,
  upcast,
  type AuditRecord,
  type DeadLetter,
  type EventType,
  type HostEvent,
} from '@klp/contracts';

/** One Kafka record as the projection sees it (kafkajs' message, minus what it does not use). */
export interface SourceRecord {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

type Fields = Readonly<Record<string, unknown>>;
const isRecord = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const MAX_INT = 2 ** 31 - 1;
const isInt = (value: unknown, max = MAX_INT): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isTarget = (value: unknown) => value === 'patched' || value === 'unpatched';

/** ISO-8601 with a zone: what Postgres and `Date` read alike. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
export const isInstant = (value: unknown): value is string =>
  isString(value) && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value));

const isFunc = (value: unknown) => isRecord(value) && isString(value.name) && isInt(value.sympos);
const isObject = (value: unknown) =>
  isRecord(value) && isString(value.name) && Array.isArray(value.funcs) && value.funcs.every(isFunc);
const isTask = (value: unknown) =>
  isRecord(value) &&
  isInt(value.pid) &&
  isString(value.comm) &&
  (value.function === undefined || isString(value.function));

/**
 * The payload shapes of `EventPayloads`, checked so that `evolve` and the rows never meet a value
 * they cannot hold (upcast checks only the envelope). A record that fails is dead-lettered.
 */
const PAYLOAD_CHECKS: { [T in EventType]: (payload: Fields) => boolean } = {
  HostBooted: (p) => isString(p.kernelRelease) && isStrings(p.modules),
  PatchRegistered: (p) => isString(p.patch) && Array.isArray(p.objects) && p.objects.every(isObject),
  PatchEnabled: (p) => isString(p.patch),
  PatchDisabled: (p) => isString(p.patch),
  TransitionReversed: (p) => isString(p.patch) && isTarget(p.target),
  TransitionCompleted: (p) => isString(p.patch) && isTarget(p.target),
  TransitionForced: (p) => isString(p.patch) && isTarget(p.target),
  PatchEnableFailed: (p) => isString(p.patch) && isString(p.errno),
  TransitionProgressReported: (p) =>
    isString(p.patch) &&
    (p.pendingTasks === null || isInt(p.pendingTasks)) &&
    Array.isArray(p.blockingTasks) &&
    p.blockingTasks.every(isTask),
  PatchUnregistered: (p) => isString(p.patch),
  ModuleLoaded: (p) => isString(p.module),
  ModuleUnloaded: (p) => isString(p.module),
  CommandRejected: (p) => isString(p.commandType) && isString(p.errno) && isString(p.reason),
};

function parseJson(value: Buffer | null): Parsed<unknown> {
  if (value === null) return fail('the record has no value');
  const text = value.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail(`not JSON: ${(error as Error).message}`);
  }
  // Postgres text and jsonb refuse U+0000: such a record could never be written.
  // (JSON can only spell it `\u0000`: look deeper only when the text has that.)
  return /\\u0000/i.test(text) && holdsNul(parsed)
    ? fail('a string of the value holds U+0000')
    : { ok: true, value: parsed };
}

function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (isRecord(value))
    return Object.entries(value).some(([key, item]) => key.includes('\u0000') || holdsNul(item));
  return false;
}

/** A `klp.events` record: JSON, upcast to the current schema, its payload of the right shape. */
export function parseEvent(value: Buffer | null): Parsed<HostEvent> {
  const json = parseJson(value);
  if (!json.ok) return json;
  let event: HostEvent;
  try {
    event = upcast(json.value);
  } catch (error) {
    return fail((error as Error).message);
  }
  // upcast checked it is an integer >= 0; the column is a Postgres integer.
  if (event.version > MAX_INT) return fail(`version ${event.version} is out of range`);
  if (!isInstant(event.occurredAt))
    return fail(`occurredAt ${JSON.stringify(event.occurredAt)} is not an ISO-8601 instant`);
  if (!PAYLOAD_CHECKS[event.type](event.payload as unknown as Fields)) {
    return fail(`the payload of ${event.type} does not have its shape`);
  }
  return { ok: true, value: event };
}

const AUDIT_STRINGS = [
  'hostId',
  'actor',
  'commandId',
  'commandType',
  'attribute',
  'prevHash',
  'hash',
] as const;

/**
 * A `klp.audit` value: the records one command added to a host's chain, packed in a JSON array
 * (ADR 0013), or one record alone as written before packing. A value with one bad record is
 * refused whole: its records are consecutive links of one chain, so none stands without the others.
 */
export function parseAudit(value: Buffer | null): Parsed<AuditRecord[]> {
  const json = parseJson(value);
  if (!json.ok) return json;
  const members = auditMembers(json.value);
  if (members.length === 0) return fail('an audit value must hold at least one record');
  const records: AuditRecord[] = [];
  for (const [i, member] of members.entries()) {
    const checked = checkAuditRecord(member);
    if (!checked.ok) {
      return members.length > 1 ? fail(`record ${i} of ${members.length}: ${checked.error}`) : checked;
    }
    if (records.length > 0 && checked.value.hostId !== records[0].hostId)
      return fail(`record ${i} is of host ${checked.value.hostId}, record 0 of ${records[0].hostId}`);
    records.push(checked.value);
  }
  return { ok: true, value: records };
}

/** One audit record (`AuditRecord` of libs/contracts, schema version 1). */
function checkAuditRecord(raw: unknown): Parsed<AuditRecord> {
  if (!isRecord(raw)) return fail('an audit record must be a JSON object');
  if (raw.schemaVersion !== 1)
    return fail(`unknown audit schemaVersion ${JSON.stringify(raw.schemaVersion)}`);
  for (const field of AUDIT_STRINGS) {
    if (!isString(raw[field])) return fail(`audit field ${field} must be a string`);
  }
  if (!isInt(raw.seq, Number.MAX_SAFE_INTEGER) || !isInt(raw.version) || !isInt(raw.index)) {
    return fail('audit fields seq, version and index must be integers >= 0');
  }
  if (!isInstant(raw.at)) return fail(`audit field at ${JSON.stringify(raw.at)} is not an ISO-8601 instant`);
  const { entity } = raw;
  if (!isRecord(entity) || !isString(entity.kind)) return fail('audit field entity must have a kind');
  for (const field of ['patch', 'object', 'func'] as const) {
    if (entity[field] !== undefined && !isString(entity[field]))
      return fail(`audit entity.${field} must be a string`);
  }
  if (!('from' in raw) || !('to' in raw)) return fail('audit fields from and to are required');
  return { ok: true, value: raw as unknown as AuditRecord };
}

function asText(buffer: Buffer | null): { text: string | null; binary: boolean } {
  if (buffer === null) return { text: null, binary: false };
  const text = buffer.toString('utf8');
  return Buffer.from(text, 'utf8').equals(buffer)
    ? { text, binary: false }
    : { text: buffer.toString('base64'), binary: true };
}

/** The `klp.dlq` record of one that could not be projected, with the original key and value. */
export function deadLetter(
  source: { topic: string; partition: number },
  record: SourceRecord,
  error: string,
  app: string,
  at: Date,
): DeadLetter {
  const key = asText(record.key);
  const value = asText(record.value);
  return {
    schemaVersion: 1,
    sourceTopic: source.topic,
    sourcePartition: source.partition,
    sourceOffset: record.offset,
    key: key.binary ? record.key!.toString('base64') : key.text,
    value: value.text,
    valueEncoding: value.binary ? 'base64' : 'utf8',
    error,
    app,
    at: at.toISOString(),
  };
}
