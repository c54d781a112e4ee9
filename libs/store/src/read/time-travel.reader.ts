import { EVENT_SCHEMA_VERSION, upcast, type DerivedState, type HostView } from '@klp/contracts';
import { evolve, initialState, view } from '@klp/domain';
import type { Queryable } from './queryable';

interface EventLogRow {
  host_id: string;
  version: number;
  type: string;
  schema_version: number;
  payload: unknown;
  command_id: string;
  correlation_id: string;
  actor: string;
  occurred_at: Date;
}

/**
 * The host view as it was at `at`: the host's `event_log` up to that instant, upcast and folded
 * with the domain's own `evolve` in the order the decider appended it (a host lives in one
 * partition, so offset order is its order). `null` when the host did not exist then.
 */
export async function hostViewAt(db: Queryable, hostId: string, at: string): Promise<HostView | null> {
  const { rows } = await db.query<EventLogRow>(
    `SELECT host_id, version, type, schema_version, payload, command_id, correlation_id, actor, occurred_at
       FROM event_log
      WHERE host_id = $1 AND occurred_at <= $2::timestamptz
      ORDER BY kafka_partition, kafka_offset, event_index`,
    [hostId, at],
  );
  let state = initialState(hostId);
  for (const row of rows) {
    const event = upcast({
      schemaVersion: row.schema_version ?? EVENT_SCHEMA_VERSION,
      type: row.type,
      hostId: row.host_id,
      version: row.version,
      payload: row.payload,
      commandId: row.command_id,
      correlationId: row.correlation_id,
      actor: row.actor,
      occurredAt: row.occurred_at.toISOString(),
    });
    state = evolve(state, event);
  }
  return view(state);
}

export interface PatchStateAt {
  hostId: string;
  state: DerivedState;
  /** When the host's patch entered that state. */
  since: string;
}

/**
 * The hosts where `patch` was in `state` (any state when undefined) at `at`, from the intervals of
 * `patch_state_history`: one index range, no replay. Keyset-paged on host_id.
 */
export async function patchHostsAt(
  db: Queryable,
  patch: string,
  at: string,
  state: DerivedState | undefined,
  limit: number,
  after?: string,
): Promise<{ items: PatchStateAt[]; nextCursor: string | null }> {
  const { rows } = await db.query<{ host_id: string; state: DerivedState; valid_from: Date }>(
    `SELECT host_id, state, valid_from FROM patch_state_history
      WHERE patch = $1 AND valid_to > $2::timestamptz AND valid_from <= $2::timestamptz
        AND ($3::text IS NULL OR state = $3) AND ($4::text IS NULL OR host_id > $4)
      ORDER BY host_id LIMIT $5`,
    [patch, at, state ?? null, after ?? null, limit + 1],
  );
  const items = rows
    .slice(0, limit)
    .map((row) => ({ hostId: row.host_id, state: row.state, since: row.valid_from.toISOString() }));
  return { items, nextCursor: rows.length > limit ? items[items.length - 1].hostId : null };
}

/** Whether any host ever had `patch` (time travel answers 404 for a name never seen). */
export async function patchEverSeen(db: Queryable, patch: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM patch_state_history WHERE patch = $1 LIMIT 1`, [patch]);
  return rows.length > 0;
}
