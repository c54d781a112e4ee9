import { assertIdentifier, fenceProjection } from '@klp/store';
import { Client } from 'pg';
import type { Position } from './replay';

export interface SwapOptions {
  readonly url: string;
  /** The schema the api and the projector use (`search_path`), e.g. `klp`. */
  readonly live: string;
  /** The caught-up rebuild, renamed to `live`. */
  readonly rebuilt: string;
  /** What `live` is renamed to (dropped later unless kept). */
  readonly old: string;
  readonly topics: readonly string[];
  /** Fenced: brings the rebuild to at least these offsets of the live projector; answers the offsets replayed. */
  readonly catchUp: (live: readonly Position[]) => Promise<number>;
  /** Fenced, after the catch-up: the rebuild's connections must be closed before its schema is renamed. */
  readonly beforeRename: () => Promise<void>;
  /** How long to wait for the projector's batches in flight before giving up (nothing changes then). */
  readonly lockTimeoutMs?: number;
  readonly now?: () => number;
}

export interface SwapResult {
  /** Whether there was a live schema (renamed to `old`); a first rebuild just renames into place. */
  readonly replaced: boolean;
  /** How long the projector was fenced (its batches waited), in ms. */
  readonly fencedMs: number;
  /** Offsets the rebuild replayed while fenced. */
  readonly fencedOffsets: number;
}

const quoted = (name: string) => `"${assertIdentifier(name, 'schema')}"`;

/**
 * The swap, in one transaction on a connection of its own: the exclusive projection fence (every
 * projector batch in flight has committed, none starts), the live projector's offsets read, the
 * rebuild brought up to them exactly, then both schemas renamed. Readers see one schema or the
 * other, never neither: the two renames commit together. A failure rolls everything back, and the
 * live schema serves on as if nothing had happened.
 */
export async function swapSchemas(options: SwapOptions): Promise<SwapResult> {
  const now = options.now ?? Date.now;
  const client = new Client({ connectionString: options.url, application_name: 'klp-rebuild-swap' });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL lock_timeout = ${Math.trunc(options.lockTimeoutMs ?? 60_000)}`);
    await fenceProjection(client, options.live);
    const fencedAt = now();
    const { rows: found } = await client.query<{ live: boolean }>(
      `SELECT to_regnamespace($1) IS NOT NULL AS live`,
      [options.live],
    );
    const replaced = found[0].live;
    let live: Position[] = [];
    if (replaced) {
      const { rows } = await client.query<{ topic: string; partition: number; next_offset: string }>(
        `SELECT topic, partition, next_offset FROM ${quoted(options.live)}.projection_offsets WHERE topic = ANY($1)`,
        [options.topics],
      );
      live = rows.map((row) => ({
        topic: row.topic,
        partition: row.partition,
        offset: BigInt(row.next_offset),
      }));
    }
    const fencedOffsets = await options.catchUp(live);
    await options.beforeRename();
    if (replaced) await client.query(`ALTER SCHEMA ${quoted(options.live)} RENAME TO ${quoted(options.old)}`);
    await client.query(`ALTER SCHEMA ${quoted(options.rebuilt)} RENAME TO ${quoted(options.live)}`);
    await client.query('COMMIT');
    return { replaced, fencedMs: now() - fencedAt, fencedOffsets };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops a schema swapped out. Waits for readers still in a statement on its tables, never for new ones. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url, application_name: 'klp-rebuild-drop' });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoted(schema)} CASCADE`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
