import { createHash } from 'node:crypto';
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
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/** The hash of a record: sha256(prevHash ‖ canonicalJson(record without `hash`)). */
export function auditHash(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(record.prevHash).update(canonicalJson(record)).digest('hex');
}

/** Seals a record into the chain after `prevHash`. */
export function sealAuditRecord(unsealed: Omit<AuditRecord, 'hash'>): AuditRecord {
  return { ...unsealed, hash: auditHash(unsealed) };
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
