import { firstBrokenLink, type AuditEntity, type AuditRecord, type AuditValue } from '@klp/contracts';
import type { Queryable } from './queryable';

/** The filters of `GET /v1/audit` (API.md "Audit"); all optional, all ANDed. */
export interface AuditFilter {
  hostId?: string;
  patch?: string;
  actor?: string;
  commandId?: string;
  /** ISO-8601 instants: `since <= at <= until`. */
  since?: string;
  until?: string;
  /** Host ids matching this RegExp source (an agent's host pattern). */
  hostPattern?: string;
}

/** Where a page ended: the key of its last record in the order (at, host_id, seq). */
export interface AuditKey {
  at: string;
  hostId: string;
  seq: number;
}

export interface AuditRow {
  host_id: string;
  seq: string;
  version: number;
  record_index: number;
  at: Date;
  actor: string;
  command_id: string;
  command_type: string;
  entity_kind: AuditEntity['kind'];
  patch: string | null;
  object: string | null;
  func: string | null;
  attribute: string;
  from_value: AuditValue;
  to_value: AuditValue;
  prev_hash: string;
  hash: string;
}

export const AUDIT_COLUMNS = `host_id, seq, version, record_index, at, actor, command_id, command_type,
  entity_kind, patch, object, func, attribute, from_value, to_value, prev_hash, hash`;

/**
 * A stored row as the record the decider sealed, field for field: `at` is the command's `issuedAt`,
 * which the api writes with millisecond precision, so `toISOString` gives back the hashed text.
 */
export function auditRecordFromRow(row: AuditRow): AuditRecord {
  const entity: { -readonly [K in keyof AuditEntity]: AuditEntity[K] } = { kind: row.entity_kind };
  if (row.patch !== null) entity.patch = row.patch;
  if (row.object !== null) entity.object = row.object;
  if (row.func !== null) entity.func = row.func;
  return {
    schemaVersion: 1,
    hostId: row.host_id,
    seq: Number(row.seq),
    version: row.version,
    index: row.record_index,
    at: row.at.toISOString(),
    actor: row.actor,
    commandId: row.command_id,
    commandType: row.command_type,
    entity,
    attribute: row.attribute,
    from: row.from_value,
    to: row.to_value,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * The WHERE clause and parameters of a filtered audit query, with keyset continuation after (or
 * before) `key` in the order (at, host_id, seq). Shared by the page reader and the export cursor.
 */
export function auditQuery(
  filter: AuditFilter,
  order: 'newest' | 'oldest',
  after?: AuditKey,
): { where: string; orderBy: string; params: unknown[] } {
  const params: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (filter.hostId !== undefined) where.push(`host_id = ${param(filter.hostId)}`);
  if (filter.patch !== undefined) where.push(`patch = ${param(filter.patch)}`);
  if (filter.actor !== undefined) where.push(`actor = ${param(filter.actor)}`);
  if (filter.commandId !== undefined) where.push(`command_id = ${param(filter.commandId)}`);
  if (filter.since !== undefined) where.push(`at >= ${param(filter.since)}::timestamptz`);
  if (filter.until !== undefined) where.push(`at <= ${param(filter.until)}::timestamptz`);
  if (filter.hostPattern !== undefined) where.push(`host_id ~ ${param(filter.hostPattern)}`);
  const direction = order === 'newest' ? 'DESC' : 'ASC';
  if (after) {
    const op = order === 'newest' ? '<' : '>';
    where.push(
      `(at, host_id, seq) ${op} (${param(after.at)}::timestamptz, ${param(after.hostId)}, ${param(after.seq)}::bigint)`,
    );
  }
  return {
    where: where.length ? `WHERE ${where.join(' AND ')}` : '',
    orderBy: `ORDER BY at ${direction}, host_id ${direction}, seq ${direction}`,
    params,
  };
}

/** One page of audit records, newest first, with the key to continue after. */
export async function listAudit(
  db: Queryable,
  filter: AuditFilter,
  limit: number,
  after?: AuditKey,
): Promise<{ items: AuditRecord[]; nextKey: AuditKey | null }> {
  const { where, orderBy, params } = auditQuery(filter, 'newest', after);
  const { rows } = await db.query<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM audit_log ${where} ${orderBy} LIMIT ${limit + 1}`,
    params,
  );
  const items = rows.slice(0, limit).map(auditRecordFromRow);
  const last = items.at(-1);
  return {
    items,
    nextKey: rows.length > limit && last ? { at: last.at, hostId: last.hostId, seq: last.seq } : null,
  };
}

export interface ChainVerdict {
  hostId: string;
  records: number;
  ok: boolean;
  firstBrokenVersion?: number;
}

/** Verdict on one host's chain, from the records read back in seq order. */
export function chainVerdict(hostId: string, records: readonly AuditRecord[]): ChainVerdict {
  const broken = firstBrokenLink(records);
  return broken
    ? { hostId, records: records.length, ok: false, firstBrokenVersion: broken.version }
    : { hostId, records: records.length, ok: true };
}

/**
 * Recomputes one host's hash chain from `audit_log`. Read in pages of `pageSize` on (seq, at,
 * hash), the order in which a forged duplicate of a seq shows up as a break.
 */
export async function verifyHostChain(db: Queryable, hostId: string, pageSize = 5000): Promise<ChainVerdict> {
  const records: AuditRecord[] = [];
  let after = null as { seq: string; at: Date; hash: string } | null;
  for (;;) {
    const { rows }: { rows: AuditRow[] } = await db.query<AuditRow>(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log
        WHERE host_id = $1 AND ($2::bigint IS NULL OR (seq, at, hash) > ($2::bigint, $3::timestamptz, $4::text))
        ORDER BY seq, at, hash LIMIT $5`,
      [hostId, after?.seq ?? null, after?.at ?? null, after?.hash ?? null, pageSize],
    );
    for (const row of rows) records.push(auditRecordFromRow(row));
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) break;
    after = { seq: last.seq, at: last.at, hash: last.hash };
  }
  return chainVerdict(hostId, records);
}
