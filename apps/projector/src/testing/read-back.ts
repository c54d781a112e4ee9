import type { HostView } from '@klp/contracts';
import { readHostView } from '@klp/store';
import type { Pool } from 'pg';

/**
 * Every host's view read back from the rows by the api's own reader (`readHostView`), so the
 * projector's specs prove at once that the rows hold the view and that the api serves it.
 */
export async function readHostViews(pool: Pool): Promise<Map<string, HostView>> {
  const hosts = await pool.query<{ host_id: string }>(`SELECT host_id FROM hosts ORDER BY host_id`);
  const views = new Map<string, HostView>();
  for (const { host_id: hostId } of hosts.rows) {
    const hostView = await readHostView(pool, hostId);
    if (hostView) views.set(hostId, hostView);
  }
  return views;
}

const CHECKSUMMED = {
  hosts: '*',
  host_patches: '*',
  host_objects: '*',
  host_funcs: '*',
  command_outcomes: '*',
  event_log: '*',
  audit_log: '*',
  projection_offsets: 'topic, partition, next_offset',
} as const;

export type TableName = keyof typeof CHECKSUMMED;

/** md5 of every row's text, in a fixed order, per table (`projection_offsets` without its clock). */
export async function checksums(
  pool: Pool,
  tables: readonly TableName[] = Object.keys(CHECKSUMMED) as TableName[],
) {
  const sums: Partial<Record<TableName, string>> = {};
  for (const table of tables) {
    const row = CHECKSUMMED[table] === '*' ? 't' : `(${CHECKSUMMED[table]})`;
    const { rows } = await pool.query<{ sum: string }>(
      `SELECT md5(coalesce(string_agg(x, E'\\n' ORDER BY x COLLATE "C"), '')) || ':' || count(*) AS sum
         FROM (SELECT ${row}::text AS x FROM ${table} t) s`,
    );
    sums[table] = rows[0].sum;
  }
  return sums;
}
