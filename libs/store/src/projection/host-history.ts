import { EVENT_SCHEMA_VERSION, upcast, type HostEvent } from '@klp/contracts';
import type { PoolClient } from 'pg';
import { projectEvent, unknownHost, type ProjectedHost } from './projected-host';

interface EventLogRow {
  host_id: string;
  version: number;
  type: string;
  schema_version: number;
  payload: unknown;
  command_id: string;
  correlation_id: string;
  actor: string;
  occurred_at: Date;
  kafka_partition: number;
}

/**
 * The projector's durable memory of hosts it has no state for: their `event_log` rows, written in
 * the same transactions as the offsets and so always exactly the events projected so far. Folded
 * in the host's own order: by version, and within a version (its accepted event, then rejections
 * decided against it) by offset, exact because a host lives in one partition.
 */
export async function loadHosts(
  client: PoolClient,
  hostIds: readonly string[],
  onSkipped: (hostId: string, error: string) => void = () => undefined,
): Promise<Map<string, ProjectedHost>> {
  const hosts = new Map<string, ProjectedHost>();
  if (hostIds.length === 0) return hosts;
  const { rows } = await client.query<EventLogRow>(
    `SELECT host_id, version, type, schema_version, payload, command_id, correlation_id, actor, occurred_at,
            kafka_partition
       FROM event_log
      WHERE host_id = ANY($1::text[])
      ORDER BY host_id, version, kafka_partition, kafka_offset, event_index`,
    [hostIds],
  );
  for (const row of rows) {
    const host = hosts.get(row.host_id) ?? unknownHost(row.host_id, row.kafka_partition);
    const event = toEvent(row);
    const step = projectEvent(host, event);
    // Only events that were projected reach event_log, so this cannot fail unless the table was
    // edited by hand; the row is then left out, as its record was when first seen.
    if (step.ok) hosts.set(row.host_id, { ...step.value, partition: row.kafka_partition });
    else onSkipped(row.host_id, step.error);
  }
  return hosts;
}

function toEvent(row: EventLogRow): HostEvent {
  return upcast({
    schemaVersion: row.schema_version ?? EVENT_SCHEMA_VERSION,
    type: row.type,
    hostId: row.host_id,
    version: row.version,
    payload: row.payload,
    commandId: row.command_id,
    correlationId: row.correlation_id,
    actor: row.actor,
    occurredAt: row.occurred_at.toISOString(),
  });
}
