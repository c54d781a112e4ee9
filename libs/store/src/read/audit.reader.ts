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
  /** The record's position in its command: `seq - index` is the seq of the command's head. */
  index: number;
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
 * The SQL of a filtered audit query in the order (at, host_id, seq), newest or oldest first, with
 * keyset continuation after `after` and at most `limit` rows. Shared by the page reader, the export
 * cursor and the benchmark. Three plans (ADR 0010):
 * - a host: a range of the primary key (host_id, at, seq);
 * - a patch: `audit_log_by_patch`, per record (one command can touch several patches);
 * - otherwise every filter is a property of the whole command (time, actor, command id, host
 *   pattern), so the query walks the commands' first records (`audit_heads_*`, partial indexes)
 *   and expands each head through the primary key to the records of its command.
 */
export function auditSelect(
  filter: AuditFilter,
  order: 'newest' | 'oldest',
  after?: AuditKey,
  limit?: number,
): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const direction = order === 'newest' ? 'DESC' : 'ASC';
  const orderBy = (t: string) =>
    `ORDER BY ${t}at ${direction}, ${t}host_id ${direction}, ${t}seq ${direction}`;
  const limitClause = (n: number | undefined) => (n === undefined ? '' : `LIMIT ${Math.trunc(n)}`);
  const whereOf = (conditions: string[]) => (conditions.length ? `WHERE ${conditions.join(' AND ')}` : '');
  const op = order === 'newest' ? '<' : '>';
  const keyset = (t: string, key: AuditKey, seq: number, inclusive: boolean) =>
    `(${t}at, ${t}host_id, ${t}seq) ${op}${inclusive ? '=' : ''} ` +
    `(${param(key.at)}::timestamptz, ${param(key.hostId)}, ${param(seq)}::bigint)`;

  const commandLevel: string[] = [];
  if (filter.hostId !== undefined) commandLevel.push(`host_id = ${param(filter.hostId)}`);
  if (filter.actor !== undefined) commandLevel.push(`actor = ${param(filter.actor)}`);
  if (filter.commandId !== undefined) commandLevel.push(`command_id = ${param(filter.commandId)}`);
  if (filter.since !== undefined) commandLevel.push(`at >= ${param(filter.since)}::timestamptz`);
  if (filter.until !== undefined) commandLevel.push(`at <= ${param(filter.until)}::timestamptz`);
  if (filter.hostPattern !== undefined) commandLevel.push(`host_id ~ ${param(filter.hostPattern)}`);

  const direct =
    filter.hostId !== undefined || (filter.patch !== undefined && filter.commandId === undefined);
  if (direct) {
    const where = [...commandLevel];
    if (filter.patch !== undefined) where.push(`patch = ${param(filter.patch)}`);
    if (after) where.push(keyset('', after, after.seq, false));
    return {
      text: `SELECT ${AUDIT_COLUMNS} FROM audit_log ${whereOf(where)} ${orderBy('')} ${limitClause(limit)}`,
      params,
    };
  }

  const heads = ['record_index = 0', ...commandLevel];
  // The cursor's own command may have records left after it: its head is included.
  if (after) heads.push(keyset('', after, after.seq - after.index, true));
  const records: string[] = [];
  if (filter.patch !== undefined) records.push(`r.patch = ${param(filter.patch)}`);
  if (after) records.push(keyset('r.', after, after.seq, false));
  // Records of one command share its time and host, and follow its head in seq: ordered by head,
  // then seq, is the order (at, host_id, seq), and it lets the plan stream the heads in index order
  // (an incremental sort per command) rather than sort every match first.
  // Every head yields at least one record, except the cursor's own head and heads whose records
  // the patch filter drops: the head limit holds only without a patch filter, one head spare.
  const headLimit = limit !== undefined && filter.patch === undefined ? limit + 1 : undefined;
  const columns = AUDIT_COLUMNS.split(',')
    .map((column) => `r.${column.trim()}`)
    .join(', ');
  return {
    text: `SELECT ${columns}
      FROM (SELECT host_id, at, seq, command_id FROM audit_log ${whereOf(heads)}
            ${orderBy('')} ${limitClause(headLimit)}) AS head
      CROSS JOIN LATERAL (
        SELECT * FROM audit_log WHERE host_id = head.host_id AND at = head.at AND command_id = head.command_id
      ) AS r
      ${whereOf(records)}
      ORDER BY head.at ${direction}, head.host_id ${direction}, head.seq ${direction}, r.seq ${direction}
      ${limitClause(limit)}`,
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
  const { text, params } = auditSelect(filter, 'newest', after, limit + 1);
  const { rows } = await db.query<AuditRow>(text, params);
  const items = rows.slice(0, limit).map(auditRecordFromRow);
  const last = items.at(-1);
  return {
    items,
    nextKey:
      rows.length > limit && last
        ? { at: last.at, hostId: last.hostId, seq: last.seq, index: last.index }
        : null,
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
 * Recomputes one host's hash chain from `audit_log`, read in the order (seq, at, hash), the order in
 * which a forged duplicate of a seq shows up as a break. One query: the verdict needs the whole
 * chain in memory anyway, and the primary key is ordered by time, not seq.
 */
export async function verifyHostChain(db: Queryable, hostId: string): Promise<ChainVerdict> {
  const { rows } = await db.query<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE host_id = $1 ORDER BY seq, at, hash`,
    [hostId],
  );
  return chainVerdict(hostId, rows.map(auditRecordFromRow));
}
