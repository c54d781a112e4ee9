import { once } from 'node:events';
import type { Response } from 'express';
import type { Pool } from 'pg';
import { auditRecordFromRow, auditSelect, type AuditFilter, type AuditRow } from '@klp/store';

/** Rows per FETCH: large enough to amortise the round trip, small enough to keep memory flat. */
export const EXPORT_FETCH_ROWS = 1000;

/**
 * Streams every matching record, oldest first, as NDJSON (a SIEM export). A server-side cursor in a
 * read-only REPEATABLE READ transaction gives one consistent snapshot however long the export
 * runs; each FETCH waits for the socket to drain, so memory stays flat at any size. A client that
 * goes away ends the cursor and returns the connection.
 */
export async function streamAuditExport(
  pool: Pool,
  filter: AuditFilter,
  response: Response,
): Promise<number> {
  let gone = false;
  const onClose = () => {
    gone = !response.writableFinished;
  };
  response.on('close', onClose);
  const client = await pool.connect();
  let failure: Error | undefined;
  let sent = 0;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { text, params } = auditSelect(filter, 'oldest');
    await client.query(`DECLARE audit_export NO SCROLL CURSOR FOR ${text}`, params);
    response.status(200);
    response.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    response.setHeader('Cache-Control', 'no-store');
    response.flushHeaders();
    while (!gone) {
      const { rows } = await client.query<AuditRow>(`FETCH ${EXPORT_FETCH_ROWS} FROM audit_export`);
      if (rows.length === 0) break;
      let chunk = '';
      for (const row of rows) chunk += `${JSON.stringify(auditRecordFromRow(row))}\n`;
      sent += rows.length;
      if (!response.write(chunk)) await drained(response);
    }
    await client.query('COMMIT');
  } catch (error) {
    failure = error as Error;
    await client.query('ROLLBACK').catch(() => undefined);
  } finally {
    client.release(failure);
    response.off('close', onClose);
  }
  if (failure && !response.headersSent) throw failure;
  // Past the headers an error can only cut the stream short: the client sees no final newline.
  if (failure) response.destroy(failure);
  else if (!gone) response.end();
  return sent;
}

/** Resolves on 'drain', or on 'close' when the client goes away while the buffer is full. */
async function drained(response: Response): Promise<void> {
  const controller = new AbortController();
  try {
    await Promise.race([
      once(response, 'drain', { signal: controller.signal }),
      once(response, 'close', { signal: controller.signal }),
    ]);
  } finally {
    controller.abort();
  }
}
