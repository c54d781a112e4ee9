import type { PoolClient } from 'pg';
import type { BulkWriter } from './bulk-writer';
import type { HostCache } from './host-cache';
import { loadHosts } from './host-history';
import { diffHostRows, emptyChanges, hostRows, type RowChanges } from './host-rows';
import { auditLogRow, eventLogRow, outcomeRow } from './log-rows';
import { projectEvent, unknownHost, type ProjectedHost } from './projected-host';
import { parseAudit, parseEvent, type SourceRecord } from './record-parsing';
import { AUDIT_LOG, COMMAND_OUTCOMES, EVENT_LOG, VIEW_TABLES, type Row } from './tables';

// The writes of one batch, inside the transaction `Projection` holds open.

export interface EventBatchContext {
  readonly client: PoolClient;
  readonly writer: BulkWriter;
  readonly cache: HostCache;
  readonly partition: number;
  readonly log: (level: 'error', message: string) => void;
}

export type Letter = (record: SourceRecord, error: string) => void;

/**
 * Folds a batch of `klp.events` records into its hosts and writes the difference: the view rows,
 * `event_log` and `command_outcomes`. Hosts not in the cache are refolded from `event_log` in one
 * query first. `staged` receives each touched host's new state (the cache takes it after COMMIT).
 * Answers the command ids settled.
 */
export async function writeEventRecords(
  { client, writer, cache, partition, log }: EventBatchContext,
  fresh: readonly SourceRecord[],
  staged: Map<string, ProjectedHost>,
  letter: Letter,
): Promise<string[]> {
  const parsed = fresh.flatMap((record) => {
    const result = parseEvent(record.value);
    if (result.ok) return [{ record, event: result.value }];
    letter(record, result.error);
    return [];
  });
  const missing = [...new Set(parsed.map(({ event }) => event.hostId))].filter((id) => !cache.has(id));
  const loaded = await loadHosts(client, missing, (hostId, error) =>
    log('error', `event_log of host ${hostId} holds an event that does not fold (${error}); left out`),
  );
  const originals = new Map<string, ProjectedHost>();
  const logRows: Row[] = [];
  const outcomeRows: Row[] = [];
  const settled: string[] = [];
  for (const { record, event } of parsed) {
    const hostId = event.hostId;
    let host = staged.get(hostId);
    if (host === undefined) {
      host = cache.get(hostId) ?? loaded.get(hostId) ?? unknownHost(hostId, partition);
      originals.set(hostId, host);
      staged.set(hostId, host);
    }
    const step = projectEvent(host, event);
    if (!step.ok) {
      letter(record, step.error);
      continue;
    }
    staged.set(hostId, step.value);
    logRows.push(eventLogRow(event, partition, record.offset));
    if (event.commandId !== '') {
      outcomeRows.push(outcomeRow(event));
      settled.push(event.commandId);
    }
  }
  const changes = emptyChanges();
  for (const [hostId, original] of originals) {
    diffHostRows(hostRows(original), hostRows(staged.get(hostId)!), changes);
  }
  await writeChanges(client, writer, changes);
  await writer.append(client, EVENT_LOG, logRows);
  await writer.insertIgnore(client, COMMAND_OUTCOMES, outcomeRows);
  return settled;
}

/** Deletes first, children before parents; then upserts, parents before children (foreign keys). */
async function writeChanges(client: PoolClient, writer: BulkWriter, changes: RowChanges): Promise<void> {
  for (const spec of [...VIEW_TABLES].reverse()) {
    const keys = changes.deletes.get(spec);
    if (keys) await writer.delete(client, spec, keys);
  }
  for (const spec of VIEW_TABLES) {
    const rows = changes.upserts.get(spec);
    if (rows) await writer.upsert(client, spec, rows);
  }
}

/** A batch of `klp.audit` Kafka records: one `audit_log` row per audit record they hold. */
export async function writeAuditRecords(
  client: PoolClient,
  writer: BulkWriter,
  fresh: readonly SourceRecord[],
  letter: Letter,
): Promise<void> {
  const rows: Row[] = [];
  for (const record of fresh) {
    const result = parseAudit(record.value);
    if (!result.ok) letter(record, result.error);
    else for (const audit of result.value) rows.push(auditLogRow(audit));
  }
  await writer.append(client, AUDIT_LOG, rows);
}
