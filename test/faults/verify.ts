import { firstBrokenLink, type HostEvent } from '@klp/contracts';
import { createKafka, PartitionReader, topicNames } from '@klp/kafka';
import { auditRecordFromRow, createReadModelPool, type AuditRow } from '@klp/store';
import type { Admin } from 'kafkajs';
import type { Pool } from 'pg';
import { waitFor } from '../e2e/stack';
import { faultBrokers } from './infra';

const TABLES = [
  'hosts',
  'host_patches',
  'host_objects',
  'host_funcs',
  'command_outcomes',
  'event_log',
  'audit_log',
];

export const readModel = (url: string, schema: string) =>
  createReadModelPool({ url, schema, max: 2, applicationName: 'klp-faults' });

/** Waits until every accepted commandId has a row in command_outcomes; answers the missing ones. */
export async function drain(pool: Pool, accepted: ReadonlySet<string>, timeoutMs: number): Promise<string[]> {
  const ids = [...accepted];
  let missing = ids;
  await waitFor(
    async () => {
      const { rows } = await pool.query<{ command_id: string }>(
        `SELECT command_id FROM command_outcomes WHERE command_id = ANY($1)`,
        [missing],
      );
      const found = new Set(rows.map((row) => row.command_id));
      missing = missing.filter((id) => !found.has(id));
      return missing.length === 0;
    },
    timeoutMs,
    'every accepted command to have an outcome',
  ).catch(() => undefined);
  return missing;
}

export async function topicEnds(admin: Admin, topic: string) {
  return (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => ({
    partition,
    high: BigInt(high),
  }));
}

/** Waits until projection_offsets of `schema` has passed the last record of events and audit. */
export async function waitProjected(pool: Pool, admin: Admin, prefix: string, timeoutMs: number) {
  const topics = topicNames(prefix);
  const targets: Array<[string, number, bigint]> = [];
  for (const topic of [topics.events, topics.audit])
    for (const { partition, high } of await topicEnds(admin, topic))
      if (high > 0n) targets.push([topic, partition, high - 1n]);
  await waitFor(
    async () => {
      const { rows } = await pool.query<{ topic: string; partition: number; next_offset: string }>(
        `SELECT topic, partition, next_offset FROM projection_offsets`,
      );
      const stored = new Map(rows.map((r) => [`${r.topic}:${r.partition}`, BigInt(r.next_offset)]));
      return targets.every(([t, p, o]) => (stored.get(`${t}:${p}`) ?? -1n) >= o);
    },
    timeoutMs,
    'the projection to reach the end of klp.events and klp.audit',
  );
}

export interface EventCheck {
  events: number;
  duplicated: string[];
  versionGaps: string[];
  /** Accepted commands with no event, or more than one. */
  withoutOneEvent: string[];
}

/** Reads all of klp.events (read_committed) and checks duplicates, gapless versions, one event per command. */
export async function checkEvents(prefix: string, accepted: ReadonlySet<string>): Promise<EventCheck> {
  const kafka = createKafka({ brokers: faultBrokers(), clientId: 'faults-verify', logLevel: 'nothing' });
  const admin = kafka.admin();
  await admin.connect();
  const topic = topicNames(prefix).events;
  const reader = new PartitionReader(kafka, { groupId: `${prefix}verify-${Date.now()}`, topics: [topic] });
  const perCommand = new Map<string, number>();
  const versions = new Map<string, number[]>();
  let events = 0;
  try {
    await reader.start();
    for (const { partition, high } of await topicEnds(admin, topic)) {
      await reader.read({ topic, partition, from: 0n, to: high }, (messages) => {
        for (const message of messages) {
          const event = JSON.parse(message.value!.toString()) as HostEvent;
          events += 1;
          perCommand.set(event.commandId, (perCommand.get(event.commandId) ?? 0) + 1);
          if (event.type !== 'CommandRejected')
            versions
              .set(event.hostId, versions.get(event.hostId) ?? [])
              .get(event.hostId)!
              .push(event.version);
        }
      });
    }
  } finally {
    await reader.stop().catch(() => undefined);
    await admin.disconnect();
  }
  const versionGaps: string[] = [];
  for (const [hostId, seen] of versions) {
    const bad = seen.findIndex((version, i) => version !== i + 1);
    if (bad >= 0) versionGaps.push(`${hostId}: version ${seen[bad]} at position ${bad + 1}`);
  }
  return {
    events,
    duplicated: [...perCommand].filter(([, n]) => n > 1).map(([id, n]) => `${id}×${n}`),
    versionGaps,
    withoutOneEvent: [...accepted].filter((id) => perCommand.get(id) !== 1),
  };
}

/** md5 of every row of each table, in a fixed order (as apps/projector's read-back does). */
export async function checksums(pool: Pool): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const table of TABLES) {
    const { rows } = await pool.query<{ sum: string }>(
      `SELECT md5(coalesce(string_agg(x, E'\\n' ORDER BY x COLLATE "C"), '')) || ':' || count(*) AS sum
         FROM (SELECT t::text AS x FROM ${table} t) s`,
    );
    sums[table] = rows[0].sum;
  }
  return sums;
}

/** Hosts whose audit chain (audit_log by seq) does not verify, with the first broken link. */
export async function brokenAuditChains(pool: Pool): Promise<{ hosts: number; broken: string[] }> {
  const { rows } = await pool.query<AuditRow>(`SELECT * FROM audit_log ORDER BY host_id, seq`);
  const chains = new Map<string, ReturnType<typeof auditRecordFromRow>[]>();
  for (const row of rows) {
    const record = auditRecordFromRow(row);
    chains
      .set(record.hostId, chains.get(record.hostId) ?? [])
      .get(record.hostId)!
      .push(record);
  }
  const broken: string[] = [];
  for (const [hostId, chain] of chains) {
    const link = firstBrokenLink(chain);
    if (link) broken.push(`${hostId}: seq ${link.seq} (version ${link.version})`);
  }
  return { hosts: chains.size, broken };
}
