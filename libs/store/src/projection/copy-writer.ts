import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { conflictClause, keyMatch, unnestWriter, type BulkWriter } from './bulk-writer';
import { encodeValue, keyColumns, type Column, type Row, type TableSpec } from './tables';

/** COPY text format: backslash escapes, `\N` for null. */
function copyField(column: Column, value: unknown): string {
  const encoded = encodeValue(column.type, value);
  if (encoded === null) return '\\N';
  let text: string;
  if (typeof encoded === 'string') text = encoded;
  else if (typeof encoded === 'boolean') text = encoded ? 't' : 'f';
  else if (typeof encoded === 'number' || typeof encoded === 'bigint') text = encoded.toString();
  else text = JSON.stringify(encoded);
  return SPECIAL.test(text) ? text.replace(SPECIALS, (char) => ESCAPES[char]) : text;
}

const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function* copyLines(columns: readonly Column[], rows: readonly Row[]): Generator<string> {
  let chunk = '';
  const last = columns.length - 1;
  for (const row of rows) {
    // Concatenated in place, no array per row: GC was 14% of the projector's CPU profile.
    for (let i = 0; i < last; i++) chunk += copyField(columns[i], row[i]) + '\t';
    chunk += copyField(columns[last], row[last]) + '\n';
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * COPY into a session-local staging table, then one INSERT … SELECT / DELETE … USING from it.
 * Three round trips instead of one, but COPY parses rows far cheaper than bind parameters: it pays
 * off on large batches (ADR 0004 has the numbers).
 */
export function copyWriter(): BulkWriter {
  // Staging tables live as long as the connection (a rollback may undo their creation, so
  // `endTransaction` forgets them); ON COMMIT DELETE ROWS empties them between transactions.
  const created = new WeakMap<PoolClient, Set<string>>();
  const usedInTransaction = new WeakMap<PoolClient, Set<string>>();

  async function stage(
    client: PoolClient,
    spec: TableSpec,
    columns: readonly Column[],
    purpose: string,
    rows: readonly Row[],
  ) {
    const name = `klp_stage_${purpose}_${spec.table}`;
    const known = created.get(client) ?? new Set<string>();
    created.set(client, known);
    const used = usedInTransaction.get(client) ?? new Set<string>();
    usedInTransaction.set(client, used);
    if (!known.has(name)) {
      await client.query(
        `CREATE TEMP TABLE IF NOT EXISTS ${name} ON COMMIT DELETE ROWS AS ` +
          `SELECT ${columns.map((column) => column.name).join(', ')} FROM ${spec.table} WITH NO DATA`,
      );
      known.add(name);
    } else if (used.has(name)) {
      await client.query(`TRUNCATE ${name}`);
    }
    used.add(name);
    await copyInto(client, name, columns, rows);
    return name;
  }

  async function insertSelect(
    client: PoolClient,
    spec: TableSpec,
    rows: readonly Row[],
    mode: 'update' | 'nothing',
  ) {
    if (rows.length === 0) return;
    const name = await stage(client, spec, spec.columns, 'rows', rows);
    const names = spec.columns.map((column) => column.name).join(', ');
    await client.query(
      `INSERT INTO ${spec.table} (${names}) SELECT ${names} FROM ${name} ${conflictClause(spec, mode)}`,
    );
  }

  async function copyInto(
    client: PoolClient,
    table: string,
    columns: readonly Column[],
    rows: readonly Row[],
  ) {
    const names = columns.map((column) => column.name).join(', ');
    const sink = client.query(copyFrom(`COPY ${table} (${names}) FROM STDIN`));
    await pipeline(Readable.from(copyLines(columns, rows)), sink);
  }

  return {
    upsert: (client, spec, rows) => insertSelect(client, spec, rows, 'update'),
    async append(client, spec, rows) {
      if (rows.length > 0) await copyInto(client, spec.table, spec.columns, rows);
    },
    insertIgnore: (client, spec, rows) => insertSelect(client, spec, rows, 'nothing'),
    async delete(client, spec, keys) {
      if (keys.length === 0) return;
      const name = await stage(client, spec, keyColumns(spec), 'keys', keys);
      await client.query(`DELETE FROM ${spec.table} t USING ${name} d WHERE ${keyMatch('t', 'd', spec)}`);
    },
    endTransaction(client, committed) {
      usedInTransaction.delete(client);
      if (!committed) created.delete(client);
    },
  };
}

/**
 * COPY where it wins, unnest where it does not: the append-only logs (most of the rows) go in by
 * COPY straight into their table; the view diffs and outcomes, a few rows each, in one statement.
 */
export function hybridWriter(): BulkWriter {
  const copy = copyWriter();
  return {
    upsert: (client, spec, rows) => unnestWriter.upsert(client, spec, rows),
    insertIgnore: (client, spec, rows) => unnestWriter.insertIgnore(client, spec, rows),
    delete: (client, spec, keys) => unnestWriter.delete(client, spec, keys),
    append: (client, spec, rows) => copy.append(client, spec, rows),
    endTransaction: (client, committed) => copy.endTransaction(client, committed),
  };
}

export type BulkWriterName = 'hybrid' | 'copy' | 'unnest';

/** The writer `KLP_PROJECTOR_WRITER` names; a new one per caller (COPY writers keep per-connection state). */
export function bulkWriterNamed(name: BulkWriterName): BulkWriter {
  return { hybrid: hybridWriter, copy: copyWriter, unnest: () => unnestWriter }[name]();
}
