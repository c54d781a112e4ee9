import type { ClientBase } from 'pg';
import { assertIdentifier } from '../database';

/**
 * The projection fence: a transaction-scoped advisory lock per read-model schema name, taken
 * **shared** by every projector batch and **exclusively** by a rebuild's swap (ADR 0005). While the
 * swap holds it no batch is in flight and none can start; a batch waiting on it resolves its table
 * names only after the swap committed, so it writes into the schema swapped in.
 *
 * Keyed on the schema's name, not its OID: the name is what survives the swap. The class ("klp",1)
 * keeps the key apart from any other advisory lock of the database.
 */
export const FENCE_CLASS = 0x6b6c7001;

/**
 * Opens a projector batch: `BEGIN` and the shared fence in one round trip. Two statements of one
 * simple query are analysed one after the other, so the batch's later statements look up their
 * tables after the fence was granted. `current_schema()` is the first schema of `search_path`.
 */
export const FENCED_BEGIN = `BEGIN; SELECT pg_advisory_xact_lock_shared(${FENCE_CLASS}, hashtext(current_schema()))`;

/** Inside an open transaction: waits until no projector batch runs on `schema`, and keeps any from starting until COMMIT. */
export async function fenceProjection(client: ClientBase, schema: string): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [
    FENCE_CLASS,
    assertIdentifier(schema, 'schema'),
  ]);
}

/** True when two schema names share a fence key (hashtext collides): a swap between them would wait on itself. */
export async function fenceKeysCollide(client: ClientBase, a: string, b: string): Promise<boolean> {
  const { rows } = await client.query<{ same: boolean }>(`SELECT hashtext($1) = hashtext($2) AS same`, [
    a,
    b,
  ]);
  return rows[0].same;
}
