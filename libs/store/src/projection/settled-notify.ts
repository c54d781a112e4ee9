import type { PoolClient } from 'pg';

/** The channel the api LISTENs on for `POST /v1/commands?wait=true` (read-your-writes). */
export const SETTLED_CHANNEL = 'klp_settled';

/** Postgres refuses a NOTIFY payload of 8000 bytes or more; keep a margin. */
export const MAX_NOTIFY_BYTES = 7900;

/** The command ids joined by `,`, cut into payloads that each stay under `maxBytes`. */
export function settledPayloads(commandIds: readonly string[], maxBytes = MAX_NOTIFY_BYTES): string[] {
  const payloads: string[] = [];
  let current = '';
  let bytes = 0;
  for (const id of commandIds) {
    const size = Buffer.byteLength(id, 'utf8');
    if (size === 0 || size >= maxBytes) continue; // an id no payload could carry is never awaited
    const needed = bytes === 0 ? size : bytes + 1 + size;
    if (needed >= maxBytes) {
      payloads.push(current);
      current = id;
      bytes = size;
    } else {
      current = bytes === 0 ? id : `${current},${id}`;
      bytes = needed;
    }
  }
  if (bytes > 0) payloads.push(current);
  return payloads;
}

/**
 * Sent inside the batch's transaction: Postgres delivers a NOTIFY only when the transaction
 * commits, so a listener that hears it can read the rows at once.
 */
export async function notifySettled(
  client: PoolClient,
  channel: string,
  commandIds: readonly string[],
): Promise<void> {
  const payloads = settledPayloads([...new Set(commandIds)]);
  if (payloads.length === 0) return;
  await client.query(`SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload`, [channel, payloads]);
}
