/**
 * The columns the projector writes, table by table, in the order its row tuples hold them. One spec
 * drives both bulk writers (unnest arrays or COPY), so a column is named once.
 */
export type ColumnType =
  'text' | 'integer' | 'smallint' | 'bigint' | 'boolean' | 'jsonb' | 'text[]' | 'timestamptz';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
}

export interface TableSpec {
  readonly table: string;
  readonly columns: readonly Column[];
  /** The primary key (what an upsert conflicts on and a delete matches). */
  readonly key: readonly string[];
}

/** One row, its values in the order of `TableSpec.columns` (a delete gives only the key's). */
export type Row = readonly unknown[];

const col = (name: string, type: ColumnType): Column => ({ name, type });

// `labels` is not written: it does not come from events, so an upsert must leave it alone.
export const HOSTS: TableSpec = {
  table: 'hosts',
  key: ['host_id'],
  columns: [
    col('host_id', 'text'),
    col('version', 'integer'),
    col('kernel_release', 'text'),
    col('loaded_modules', 'text[]'),
    col('stack', 'text[]'),
    col('transition_patch', 'text'),
    col('transition_target', 'text'),
    col('pending_tasks', 'integer'),
    col('blocking_tasks', 'jsonb'),
    col('transition_since', 'timestamptz'),
    col('created_at', 'timestamptz'),
    col('updated_at', 'timestamptz'),
  ],
};

export const HOST_PATCHES: TableSpec = {
  table: 'host_patches',
  key: ['host_id', 'patch'],
  columns: [
    col('host_id', 'text'),
    col('patch', 'text'),
    col('position', 'integer'),
    col('enabled', 'boolean'),
    col('forced', 'boolean'),
    col('state', 'text'),
  ],
};

export const HOST_OBJECTS: TableSpec = {
  table: 'host_objects',
  key: ['host_id', 'patch', 'object'],
  columns: [
    col('host_id', 'text'),
    col('patch', 'text'),
    col('object', 'text'),
    col('position', 'integer'),
    col('loaded', 'boolean'),
    col('patched', 'boolean'),
    col('state', 'text'),
  ],
};

export const HOST_FUNCS: TableSpec = {
  table: 'host_funcs',
  key: ['host_id', 'patch', 'object', 'func'],
  columns: [
    col('host_id', 'text'),
    col('patch', 'text'),
    col('object', 'text'),
    col('func', 'text'),
    col('position', 'integer'),
    col('patched', 'boolean'),
    col('transition', 'boolean'),
    col('state', 'text'),
  ],
};

export const EVENT_LOG: TableSpec = {
  table: 'event_log',
  key: ['kafka_partition', 'kafka_offset', 'event_index', 'occurred_at'],
  columns: [
    col('host_id', 'text'),
    col('version', 'integer'),
    col('event_index', 'smallint'),
    col('type', 'text'),
    col('schema_version', 'smallint'),
    col('payload', 'jsonb'),
    col('command_id', 'text'),
    col('correlation_id', 'text'),
    col('actor', 'text'),
    col('occurred_at', 'timestamptz'),
    col('kafka_partition', 'integer'),
    col('kafka_offset', 'bigint'),
  ],
};

export const AUDIT_LOG: TableSpec = {
  table: 'audit_log',
  key: ['host_id', 'seq', 'at'],
  columns: [
    col('host_id', 'text'),
    col('seq', 'bigint'),
    col('version', 'integer'),
    col('record_index', 'integer'),
    col('at', 'timestamptz'),
    col('actor', 'text'),
    col('command_id', 'text'),
    col('command_type', 'text'),
    col('entity_kind', 'text'),
    col('patch', 'text'),
    col('object', 'text'),
    col('func', 'text'),
    col('attribute', 'text'),
    col('from_value', 'jsonb'),
    col('to_value', 'jsonb'),
    col('prev_hash', 'text'),
    col('hash', 'text'),
  ],
};

export const COMMAND_OUTCOMES: TableSpec = {
  table: 'command_outcomes',
  key: ['command_id'],
  columns: [
    col('command_id', 'text'),
    col('host_id', 'text'),
    col('command_type', 'text'),
    col('status', 'text'),
    col('version', 'integer'),
    col('errno', 'text'),
    col('reason', 'text'),
    col('actor', 'text'),
    col('decided_at', 'timestamptz'),
  ],
};

/** The view tables, parents first: upserts run in this order, deletes in the reverse. */
export const VIEW_TABLES = [HOSTS, HOST_PATCHES, HOST_OBJECTS, HOST_FUNCS] as const;

export function keyColumns(spec: TableSpec): Column[] {
  return spec.key.map((name) => {
    const column = spec.columns.find((candidate) => candidate.name === name);
    if (!column) throw new Error(`${spec.table}: key column ${name} is not among its columns`);
    return column;
  });
}

/** A Postgres array literal of text (`{"a","b"}`), quoting every element. */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

/** The value a column's parameter carries: jsonb as JSON text, text[] as an array literal. */
export function encodeValue(type: ColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'jsonb') return JSON.stringify(value);
  if (type === 'text[]') return textArrayLiteral(value as readonly string[]);
  return value;
}
