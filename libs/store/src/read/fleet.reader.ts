import type { BlockingTask, DerivedState } from '@klp/contracts';
import type { Queryable } from './queryable';

export interface HostSummary {
  hostId: string;
  version: number;
  kernelRelease: string | null;
  transition: { patch: string; target: string; pendingTasks: number | null; since: string | null } | null;
  patches: number;
}

export interface HostFilter {
  patch?: string;
  state?: DerivedState;
  kernelRelease?: string;
  /** `key=value` on the host's labels. */
  label?: { key: string; value: string };
  /** Host ids starting with this text. */
  prefix?: string;
  /** Host ids matching this RegExp source (an agent's host pattern). */
  hostPattern?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Keyset pagination on host_id: stable under concurrent writes, and O(limit) at any depth. */
export async function listHosts(
  db: Queryable,
  filter: HostFilter,
  limit: number,
  after?: string,
): Promise<Page<HostSummary>> {
  const params: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (after !== undefined) where.push(`h.host_id > ${param(after)}`);
  if (filter.patch !== undefined || filter.state !== undefined) {
    const conditions = ['p.host_id = h.host_id'];
    if (filter.patch !== undefined) conditions.push(`p.patch = ${param(filter.patch)}`);
    if (filter.state !== undefined) conditions.push(`p.state = ${param(filter.state)}`);
    where.push(`EXISTS (SELECT 1 FROM host_patches p WHERE ${conditions.join(' AND ')})`);
  }
  if (filter.kernelRelease !== undefined) where.push(`h.kernel_release = ${param(filter.kernelRelease)}`);
  if (filter.label)
    where.push(`h.labels @> ${param(JSON.stringify({ [filter.label.key]: filter.label.value }))}::jsonb`);
  if (filter.prefix !== undefined) where.push(`h.host_id LIKE ${param(escapeLike(filter.prefix) + '%')}`);
  if (filter.hostPattern !== undefined) where.push(`h.host_id ~ ${param(filter.hostPattern)}`);
  const result = await db.query<{
    host_id: string;
    version: number;
    kernel_release: string | null;
    transition_patch: string | null;
    transition_target: string | null;
    pending_tasks: number | null;
    transition_since: Date | null;
  }>(
    `SELECT h.host_id, h.version, h.kernel_release, h.transition_patch, h.transition_target, h.pending_tasks,
            h.transition_since
       FROM hosts h
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY h.host_id
      LIMIT ${param(limit + 1)}`,
    params,
  );
  const rows = result.rows.slice(0, limit);
  const counts = await patchCounts(
    db,
    rows.map((row) => row.host_id),
  );
  return {
    items: rows.map((row) => ({
      hostId: row.host_id,
      version: row.version,
      kernelRelease: row.kernel_release,
      transition: row.transition_patch
        ? {
            patch: row.transition_patch,
            target: row.transition_target ?? '',
            pendingTasks: row.pending_tasks,
            since: row.transition_since?.toISOString() ?? null,
          }
        : null,
      patches: counts.get(row.host_id) ?? 0,
    })),
    nextCursor: result.rows.length > limit ? rows[rows.length - 1].host_id : null,
  };
}

async function patchCounts(db: Queryable, hostIds: string[]): Promise<Map<string, number>> {
  if (hostIds.length === 0) return new Map();
  const result = await db.query<{ host_id: string; n: number }>(
    `SELECT host_id, count(*)::int AS n FROM host_patches WHERE host_id = ANY($1) GROUP BY host_id`,
    [hostIds],
  );
  return new Map(result.rows.map((row) => [row.host_id, row.n]));
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

/** Per patch name: the number of hosts in each derived state. */
export async function patchRollup(db: Queryable): Promise<Record<string, Record<DerivedState, number>>> {
  const result = await db.query<{ patch: string; state: DerivedState; hosts: number }>(
    `SELECT patch, state, hosts FROM patch_state_counts ORDER BY patch, state`,
  );
  const rollup: Record<string, Record<DerivedState, number>> = {};
  for (const row of result.rows) {
    rollup[row.patch] ??= { disabled: 0, enabled: 0, transition: 0, patched: 0 };
    rollup[row.patch][row.state] = row.hosts;
  }
  return rollup;
}

export async function patchExists(db: Queryable, patch: string): Promise<boolean> {
  const result = await db.query(`SELECT 1 FROM host_patches WHERE patch = $1 LIMIT 1`, [patch]);
  return result.rows.length > 0;
}

export interface TransitionSummary {
  hostId: string;
  patch: string;
  target: string;
  since: string;
  runningForMs: number;
  pendingTasks: number | null;
  blockingTasks: BlockingTask[];
}

/** Transitions that started before `before`, longest-running first. */
export async function longTransitions(
  db: Queryable,
  before: Date,
  limit: number,
  now: Date,
): Promise<TransitionSummary[]> {
  const result = await db.query<{
    host_id: string;
    transition_patch: string;
    transition_target: string;
    transition_since: Date;
    pending_tasks: number | null;
    blocking_tasks: BlockingTask[];
  }>(
    `SELECT host_id, transition_patch, transition_target, transition_since, pending_tasks, blocking_tasks
       FROM hosts
      WHERE transition_patch IS NOT NULL AND transition_since <= $1
      ORDER BY transition_since, host_id
      LIMIT $2`,
    [before, limit],
  );
  return result.rows.map((row) => ({
    hostId: row.host_id,
    patch: row.transition_patch,
    target: row.transition_target,
    since: row.transition_since.toISOString(),
    runningForMs: now.getTime() - row.transition_since.getTime(),
    pendingTasks: row.pending_tasks,
    blockingTasks: row.blocking_tasks,
  }));
}

export interface FunctionStackEntry {
  hostId: string;
  stack: string[];
  active: string;
}

/** The func stack of one function on every host where some patch replaces it. */
export async function functionStacks(
  db: Queryable,
  object: string,
  func: string,
  limit: number,
  after?: string,
): Promise<Page<FunctionStackEntry>> {
  const result = await db.query<{ host_id: string; patches: string[]; active_patch: string }>(
    `SELECT host_id, patches, active_patch FROM host_func_stacks
      WHERE object = $1 AND func = $2 AND ($3::text IS NULL OR host_id > $3)
      ORDER BY host_id LIMIT $4`,
    [object, func, after ?? null, limit + 1],
  );
  const rows = result.rows.slice(0, limit);
  return {
    items: rows.map((row) => ({ hostId: row.host_id, stack: row.patches, active: row.active_patch })),
    nextCursor: result.rows.length > limit ? rows[rows.length - 1].host_id : null,
  };
}

export interface StoredEvent {
  hostId: string;
  version: number;
  type: string;
  schemaVersion: number;
  payload: unknown;
  commandId: string;
  correlationId: string;
  actor: string;
  occurredAt: string;
}

/** A host's events, oldest first, from a version on (rejections included, at the version they saw). */
export async function hostEvents(
  db: Queryable,
  hostId: string,
  fromVersion: number,
  limit: number,
): Promise<StoredEvent[]> {
  const result = await db.query<{
    host_id: string;
    version: number;
    type: string;
    schema_version: number;
    payload: unknown;
    command_id: string;
    correlation_id: string;
    actor: string;
    occurred_at: Date;
  }>(
    `SELECT host_id, version, type, schema_version, payload, command_id, correlation_id, actor, occurred_at
       FROM event_log WHERE host_id = $1 AND version >= $2
      ORDER BY kafka_partition, kafka_offset, event_index
      LIMIT $3`,
    [hostId, fromVersion, limit],
  );
  return result.rows.map((row) => ({
    hostId: row.host_id,
    version: row.version,
    type: row.type,
    schemaVersion: row.schema_version,
    payload: row.payload,
    commandId: row.command_id,
    correlationId: row.correlation_id,
    actor: row.actor,
    occurredAt: row.occurred_at.toISOString(),
  }));
}
