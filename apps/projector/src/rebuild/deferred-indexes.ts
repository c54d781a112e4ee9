import { assertIdentifier } from '@klp/store';
import { Client } from 'pg';

/**
 * The append-only tables whose secondary indexes a rebuild builds after its first replay round
 * rather than entry by entry during it (ADR 0012): nearly every row of a rebuild lands in them.
 */
const LOG_TABLES = ['event_log', 'audit_log', 'command_outcomes', 'patch_state_history'];

/**
 * Indexes the replay itself reads, so they stay: a host missing from the projection's cache is
 * refolded from `event_log` by host, and the `audit_log` trigger closes a patch's open interval.
 * Primary keys and unique constraints stay too (upserts and conflicts need them).
 */
const READ_BY_THE_REPLAY = ['event_log_by_host', 'patch_state_history_open'];

export interface DeferredIndex {
  readonly name: string;
  readonly table: string;
  /** `pg_get_indexdef` of the index on the parent table: recreates it on every partition. */
  readonly definition: string;
}

/**
 * Drops the deferrable indexes of `schema` (only ever a fresh rebuild schema) and answers their
 * definitions for `buildDeferredIndexes`. Partitioned parents only: dropping a parent's index drops
 * its partitions' copies, and recreating it builds them again, one sorted pass per partition.
 */
export async function dropDeferredIndexes(url: string, schema: string): Promise<DeferredIndex[]> {
  assertIdentifier(schema, 'schema');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; table: string; definition: string }>(
      `SELECT i.relname AS name, t.relname AS table, pg_get_indexdef(i.oid) AS definition
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = $1 AND t.relname = ANY($2) AND NOT t.relispartition
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
          AND i.relname <> ALL($3)
        ORDER BY t.relname, i.relname`,
      [schema, LOG_TABLES, READ_BY_THE_REPLAY],
    );
    for (const index of rows) await client.query(`DROP INDEX "${schema}"."${index.name}"`);
    // A partitioned parent's definition reads `ON ONLY <table>`, which would build the parent's
    // index alone and leave it invalid: without ONLY it is built on every partition too.
    return rows.map((index) => ({ ...index, definition: index.definition.replace(/ ON ONLY /, ' ON ') }));
  } finally {
    await client.end();
  }
}

/**
 * Builds the indexes `dropDeferredIndexes` took away, with a larger sort memory than a session
 * gets by default. Runs before the catch-up rounds, so what comes after the first round is indexed
 * as it lands; the swap's checks then see the schema the migrations laid, index for index.
 */
export async function buildDeferredIndexes(
  url: string,
  indexes: readonly DeferredIndex[],
  onIndex: (index: DeferredIndex, ms: number) => void = () => undefined,
): Promise<void> {
  if (indexes.length === 0) return;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET maintenance_work_mem = '256MB'`);
    for (const index of indexes) {
      const started = Date.now();
      await client.query(index.definition);
      onIndex(index, Date.now() - started);
    }
  } finally {
    await client.end();
  }
}
