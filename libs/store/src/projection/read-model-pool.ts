import { Pool } from 'pg';
import { DEFAULT_READ_SCHEMA, assertIdentifier } from '../database';
import { AUDIT_LOG, COMMAND_OUTCOMES, EVENT_LOG, VIEW_TABLES } from './tables';

export interface ReadModelPoolOptions {
  url: string;
  /** The Postgres schema of the read model; unqualified names resolve through `search_path`. */
  schema?: string;
  max?: number;
  applicationName?: string;
  /** Postgres `synchronous_commit` of the pool's sessions (the server's default when absent). */
  synchronousCommit?: 'on' | 'off';
}

/** A raw `pg` pool on the read model: the projector's batched SQL needs no ORM (ADR 0004). */
export function createReadModelPool(options: ReadModelPoolOptions): Pool {
  const schema = assertIdentifier(options.schema ?? DEFAULT_READ_SCHEMA, 'schema');
  const pool = new Pool({
    connectionString: options.url,
    max: options.max ?? 4,
    application_name: options.applicationName ?? 'klp-projector',
    options: `-c search_path=${schema},public${
      options.synchronousCommit ? ` -c synchronous_commit=${options.synchronousCommit}` : ''
    }`,
    connectionTimeoutMillis: 5000,
  });
  return guardCheckedOutClients(pool);
}

/**
 * pg-pool takes its error listener off a client while the client is checked out (`pool.connect()`).
 * A server that ends the connection then (a Postgres restart in the middle of a projector batch or
 * an audit export) raised an unhandled 'error' that killed the thread, and with it the process.
 * The query in flight fails with that error all the same, and its caller handles it; an idle
 * client's error still reaches the pool's own 'error' listeners.
 */
export function guardCheckedOutClients(pool: Pool): Pool {
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * The tables and columns the projection writes that the schema lacks ("table" or "table.column"),
 * so that a projector started on an unmigrated database says so at boot instead of failing on its
 * first batch. It checks what the SQL needs rather than migration names: libs cannot see migrations/.
 */
export async function missingColumns(pool: Pool, schema: string): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1`,
    [assertIdentifier(schema, 'schema')],
  );
  const present = new Set(rows.map((row) => `${row.table_name}.${row.column_name}`));
  const tables = new Set(rows.map((row) => row.table_name));
  const wanted: [string, readonly string[]][] = [
    ...[...VIEW_TABLES, EVENT_LOG, AUDIT_LOG, COMMAND_OUTCOMES].map((spec): [string, readonly string[]] => [
      spec.table,
      spec.columns.map((column) => column.name),
    ]),
    ['projection_offsets', ['topic', 'partition', 'next_offset', 'updated_at']],
  ];
  return wanted.flatMap(([table, columns]) =>
    tables.has(table)
      ? columns.filter((column) => !present.has(`${table}.${column}`)).map((column) => `${table}.${column}`)
      : [table],
  );
}
