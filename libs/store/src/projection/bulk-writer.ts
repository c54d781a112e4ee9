import type { PoolClient } from 'pg';
import { encodeValue, keyColumns, type Column, type ColumnType, type Row, type TableSpec } from './tables';

/**
 * Set-based writes of many rows in one statement (never one per row): what a projection batch
 * needs of Postgres. Two implementations, measured against each other in ADR 0004.
 */
export interface BulkWriter {
  /** INSERT … ON CONFLICT (key) DO UPDATE every other column. Keys must be unique within `rows`. */
  upsert(client: PoolClient, spec: TableSpec, rows: readonly Row[]): Promise<void>;
  /** INSERT … ON CONFLICT DO NOTHING: rows that may already be there (command outcomes). */
  insertIgnore(client: PoolClient, spec: TableSpec, rows: readonly Row[]): Promise<void>;
  /**
   * A plain INSERT (COPY straight into the table): the append-only logs, whose rows the locked offset
   * row already keeps from being written twice. A duplicate fails the batch, which then isolates it.
   */
  append(client: PoolClient, spec: TableSpec, rows: readonly Row[]): Promise<void>;
  /** DELETE the rows whose key is one of `keys` (each holds the key columns' values). */
  delete(client: PoolClient, spec: TableSpec, keys: readonly Row[]): Promise<void>;
  /** Called after each COMMIT or ROLLBACK on that connection (a writer may keep per-connection state). */
  endTransaction(client: PoolClient, committed: boolean): void;
}

const PARAM_TYPE: Record<ColumnType, string> = {
  text: 'text',
  integer: 'integer',
  smallint: 'smallint',
  bigint: 'bigint',
  boolean: 'boolean',
  // Passed as text, cast in the SELECT: unnest would flatten a 2-D array, and jsonb[] gains nothing.
  jsonb: 'text',
  'text[]': 'text',
  timestamptz: 'timestamptz',
};

export function castFrom(alias: string, column: Column): string {
  const ref = `${alias}.${column.name}`;
  return column.type === 'jsonb' || column.type === 'text[]' ? `${ref}::${column.type}` : ref;
}

export function conflictClause(spec: TableSpec, mode: 'update' | 'nothing'): string {
  if (mode === 'nothing') return 'ON CONFLICT DO NOTHING';
  const updates = spec.columns
    .filter((column) => !spec.key.includes(column.name))
    .map((column) => `${column.name} = EXCLUDED.${column.name}`);
  return `ON CONFLICT (${spec.key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
}

export function keyMatch(target: string, source: string, spec: TableSpec): string {
  return spec.key.map((name) => `${target}.${name} = ${source}.${name}`).join(' AND ');
}

/** Column-major parameters: one array per column, each encoded for its type. */
function columnArrays(columns: readonly Column[], rows: readonly Row[]): unknown[][] {
  return columns.map((column, i) => rows.map((row) => encodeValue(column.type, row[i])));
}

function unnestFrom(columns: readonly Column[], alias: string): string {
  const params = columns.map((column, i) => `$${i + 1}::${PARAM_TYPE[column.type]}[]`);
  return `unnest(${params.join(', ')}) AS ${alias}(${columns.map((column) => column.name).join(', ')})`;
}

/** Every row in one statement, one array parameter per column (`unnest($1::text[], …)`). */
export const unnestWriter: BulkWriter = {
  async upsert(client, spec, rows) {
    await insertSelect(client, spec, rows, 'update');
  },
  async insertIgnore(client, spec, rows) {
    await insertSelect(client, spec, rows, 'nothing');
  },
  async append(client, spec, rows) {
    await insertSelect(client, spec, rows, 'none');
  },
  async delete(client, spec, keys) {
    if (keys.length === 0) return;
    const columns = keyColumns(spec);
    await client.query(
      `DELETE FROM ${spec.table} t USING ${unnestFrom(columns, 'd')} WHERE ${keyMatch('t', 'd', spec)}`,
      columnArrays(columns, keys),
    );
  },
  endTransaction() {},
};

async function insertSelect(
  client: PoolClient,
  spec: TableSpec,
  rows: readonly Row[],
  mode: 'update' | 'nothing' | 'none',
) {
  if (rows.length === 0) return;
  const names = spec.columns.map((column) => column.name).join(', ');
  const select = spec.columns.map((column) => castFrom('u', column)).join(', ');
  await client.query(
    `INSERT INTO ${spec.table} (${names}) SELECT ${select} FROM ${unnestFrom(spec.columns, 'u')} ` +
      (mode === 'none' ? '' : conflictClause(spec, mode)),
    columnArrays(spec.columns, rows),
  );
}
