import crypto from 'node:crypto';
import type { AttributeChange } from './audit';

/**
 * The records that travel on klp.audit, klp.snapshots and klp.dlq besides the events. Producers
 * (the decider) and readers (projector, api, auditors' tools) share these shapes.
 */

/** One attribute transition of one host, hash-chained to the host's previous record. */
export interface AuditRecord extends AttributeChange {
  readonly schemaVersion: 1;
  readonly hostId: string;
  /** Position in the host's chain, gapless from 1. */
  readonly seq: number;
  /** The host version the command moved to (for a rejection: the version it was decided against). */
  readonly version: number;
  /** Position of this record among the records of the same command, from 0. */
  readonly index: number;
  /** The command's issuedAt. */
  readonly at: string;
  readonly actor: string;
  readonly commandId: string;
  readonly commandType: string;
  /** `hash` of the host's previous record; GENESIS_HASH for seq 1. */
  readonly prevHash: string;
  /** sha256 hex of prevHash ‖ canonical JSON of every other field. */
  readonly hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth and no whitespace: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let text = '';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    text += `${text === '' ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `{${text}}`;
}

const AUDIT_KEYS = new Set([
  'actor',
  'at',
  'attribute',
  'commandId',
  'commandType',
  'entity',
  'from',
  'hostId',
  'index',
  'prevHash',
  'schemaVersion',
  'seq',
  'to',
  'version',
]);
const ENTITY_KEYS = new Set(['func', 'kind', 'object', 'patch']);
const onlyKnown = (value: object, known: ReadonlySet<string>) =>
  Object.keys(value).every((key) => known.has(key));

const member = (key: string, value: unknown): string =>
  value === undefined ? '' : `"${key}":${canonicalJson(value)},`;
const closed = (members: string): string => `{${members.slice(0, -1)}}`;

/**
 * `canonicalJson` of an audit record without its hash, written out in the sorted key order of the
 * record's known fields: the decider seals about eight records per command, and the generic walk
 * (entries, sort, join at every level) was the largest cost in its profile. A record with fields
 * outside its type takes the generic path, so the text is always canonicalJson's.
 */
export function canonicalAuditJson(record: Omit<AuditRecord, 'hash'>): string {
  const { entity } = record;
  if (
    typeof entity !== 'object' ||
    entity === null ||
    !onlyKnown(record, AUDIT_KEYS) ||
    !onlyKnown(entity, ENTITY_KEYS)
  ) {
    return canonicalJson(record);
  }
  const entityText = closed(
    member('func', entity.func) +
      member('kind', entity.kind) +
      member('object', entity.object) +
      member('patch', entity.patch),
  );
  return closed(
    member('actor', record.actor) +
      member('at', record.at) +
      member('attribute', record.attribute) +
      member('commandId', record.commandId) +
      member('commandType', record.commandType) +
      `"entity":${entityText},` +
      member('from', record.from) +
      member('hostId', record.hostId) +
      member('index', record.index) +
      member('prevHash', record.prevHash) +
      member('schemaVersion', record.schemaVersion) +
      member('seq', record.seq) +
      member('to', record.to) +
      member('version', record.version),
  );
}

/** The hash of a record: sha256(prevHash ‖ canonicalJson(record without `hash`)). */
export function auditHash(record: Omit<AuditRecord, 'hash'>): string {
  return hashAfter(record.prevHash, canonicalAuditJson(record));
}

/** One-shot `crypto.hash` (Node ≥ 20.12): the same digest as createHash().update().update(), without the Hash object per record. */
function hashAfter(prevHash: string, canonical: string): string {
  return crypto.hash('sha256', prevHash + canonical, 'hex');
}

/** Seals a record into the chain after `prevHash`. */
export function sealAuditRecord(unsealed: Omit<AuditRecord, 'hash'>): AuditRecord {
  return { ...unsealed, hash: auditHash(unsealed) };
}

/**
 * Seals a record straight into its JSON text (the canonical text with `hash` last), for the
 * producer: one serialisation per record and no sealed object it would throw away.
 */
export function sealedAuditText(unsealed: Omit<AuditRecord, 'hash'>): { hash: string; text: string } {
  const canonical = canonicalAuditJson(unsealed);
  const hash = hashAfter(unsealed.prevHash, canonical);
  return { hash, text: `${canonical.slice(0, -1)},"hash":"${hash}"}` };
}

/**
 * Walks one host's records in seq order; answers the first broken link (a changed, missing or
 * forged record), or null when the chain holds.
 */
export function firstBrokenLink(records: readonly AuditRecord[]): { seq: number; version: number } | null {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const record of records) {
    const { hash, ...unsealed } = record;
    if (record.seq !== expectedSeq || record.prevHash !== prevHash || auditHash(unsealed) !== hash) {
      return { seq: record.seq, version: record.version };
    }
    prevHash = hash;
    expectedSeq += 1;
  }
  return null;
}

/** A record that could not be parsed or validated, parked on klp.dlq with why. */
export interface DeadLetter {
  readonly schemaVersion: 1;
  readonly sourceTopic: string;
  readonly sourcePartition: number;
  readonly sourceOffset: string;
  /** The original key and value, as received (utf-8, or base64 when not valid text). */
  readonly key: string | null;
  readonly value: string | null;
  readonly valueEncoding: 'utf8' | 'base64';
  readonly error: string;
  readonly app: string;
  readonly at: string;
}
