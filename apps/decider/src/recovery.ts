import { auditMembers, upcast } from '@klp/contracts';
import {
  beginFencing,
  createTransactionalProducer,
  sendInChunks,
  type PartitionReader,
  type TopicNames,
} from '@klp/kafka';
import type { Admin, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { entryFromSnapshot, freshEntry, replayEvent, withView, type HostEntry } from './host-entry';
import type { Logger } from './log';
import { PartitionState, type ReplayPoint } from './partition-state';
import {
  parseSnapshotRecord,
  recoveryMessage,
  type HostSnapshot,
  type PartitionCheckpoint,
} from './snapshots';

export interface RecoveryDeps {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly reader: PartitionReader;
  readonly topics: TopicNames;
  readonly groupId: string;
  readonly transactionalId: (partition: number) => string;
  readonly log: Logger;
  /** Called as records are read, so that a long recovery keeps the consumer's group session. */
  readonly heartbeat: () => Promise<void>;
}

export interface Recovered {
  readonly producer: Producer;
  readonly state: PartitionState;
  readonly snapshots: number;
  readonly replayed: number;
}

async function offsetsOf(admin: Admin, topic: string, partition: number) {
  const found = (await admin.fetchTopicOffsets(topic)).find((item) => item.partition === partition);
  if (!found) throw new Error(`${topic} has no partition ${partition}`);
  return { low: BigInt(found.low), high: BigInt(found.high) };
}

const atLeast = (offset: bigint, low: bigint) => (offset < low ? low : offset);

/**
 * Takes over one partition (ADR 0003):
 * 1. fences every earlier owner of the partition's transactional id (InitProducerId aborts or
 *    completes the transaction it left open) and writes a `#recovery` mark to klp.snapshots;
 * 2. reads klp.snapshots up to that mark: the latest snapshot of each host and the checkpoint;
 * 3. replays klp.events from the checkpoint to the end with `evolve`, skipping what each host's
 *    snapshot already holds (`offset < eventsOffset`);
 * 4. reads the audit chain heads from klp.audit from the checkpoint to the end;
 * 5. reads the group's committed klp.commands offset.
 * The result is the state the partition's last committed transaction left, and a producer that
 * is the partition's only writer.
 */
export async function recoverPartition(deps: RecoveryDeps, partition: number): Promise<Recovered> {
  const { admin, reader, topics, log } = deps;
  const owner = deps.transactionalId(partition);
  const producer = createTransactionalProducer(deps.kafka, owner);
  try {
    const mark = await beginFencing(producer);
    const [markOffsets] = await sendInChunks(mark, [
      { topic: topics.snapshots, partition, messages: [recoveryMessage(partition, owner, new Date())] },
    ]);
    await mark.commit();

    const snapshots = new Map<string, HostSnapshot>();
    let checkpoint: PartitionCheckpoint | null = null;
    const snapshotRange = await offsetsOf(admin, topics.snapshots, partition);
    await reader.read(
      { topic: topics.snapshots, partition, from: snapshotRange.low, to: markOffsets[0] + 1n },
      async (messages: readonly KafkaMessage[]) => {
        for (const message of messages) {
          const record = parseSnapshotRecord(message.value);
          if (record?.kind === 'host') snapshots.set(record.hostId, record);
          else if (record?.kind === 'checkpoint') checkpoint = record;
        }
        await deps.heartbeat();
      },
    );
    const hosts = new Map<string, HostEntry>();
    for (const [hostId, snapshot] of snapshots) {
      hosts.set(hostId, entryFromSnapshot(snapshot.state, snapshot.audit, BigInt(snapshot.eventsOffset)));
    }
    const saved = checkpoint as PartitionCheckpoint | null;
    const start: ReplayPoint | null = saved && {
      events: BigInt(saved.eventsOffset),
      audit: BigInt(saved.auditOffset),
    };

    const dirty = new Map<string, ReplayPoint>();
    const events = await offsetsOf(admin, topics.events, partition);
    const audit = await offsetsOf(admin, topics.audit, partition);
    const auditFrom = atLeast(start?.audit ?? audit.low, audit.low);
    let replayed = 0;
    await reader.read(
      {
        topic: topics.events,
        partition,
        from: atLeast(start?.events ?? events.low, events.low),
        to: events.high,
      },
      async (messages: readonly KafkaMessage[]) => {
        for (const message of messages) {
          const offset = BigInt(message.offset);
          const hostId = message.key?.toString('utf8') ?? '';
          const entry = hosts.get(hostId) ?? freshEntry(hostId);
          if (offset < entry.eventsOffset) continue; // already in the host's snapshot
          try {
            const event = upcast(JSON.parse(message.value?.toString('utf8') ?? 'null'));
            hosts.set(hostId, replayEvent(entry, event, offset + 1n));
          } catch (error) {
            log.error('unreadable event skipped in recovery', { partition, offset, error });
            continue;
          }
          if (!dirty.has(hostId)) dirty.set(hostId, { events: offset, audit: auditFrom });
          replayed += 1;
        }
        await deps.heartbeat();
      },
    );
    await reader.read(
      { topic: topics.audit, partition, from: auditFrom, to: audit.high },
      async (messages) => {
        for (const message of messages) {
          const hostId = message.key?.toString('utf8') ?? '';
          const entry = hosts.get(hostId);
          // A packed value (ADR 0013) ends with the newest record of its run.
          const newest = auditMembers(JSON.parse(message.value?.toString('utf8') ?? '{}')).at(-1) as
            { seq?: unknown; hash?: unknown } | undefined;
          const { seq, hash } = newest ?? {};
          if (entry && typeof seq === 'number' && typeof hash === 'string' && seq > entry.audit.seq) {
            hosts.set(hostId, { ...entry, audit: { seq, hash } });
          }
        }
        await deps.heartbeat();
      },
    );
    for (const hostId of dirty.keys()) hosts.set(hostId, withView(hosts.get(hostId)!));

    const [committed] = await admin.fetchOffsets({ groupId: deps.groupId, topics: [topics.commands] });
    const offset = committed?.partitions.find((item) => item.partition === partition)?.offset ?? '-1';
    const nextOffset = BigInt(offset) >= 0n ? BigInt(offset) : null;
    const end = { events: events.high, audit: audit.high };
    const state = new PartitionState(partition, hosts, dirty, end, nextOffset, start);
    return { producer, state, snapshots: snapshots.size, replayed };
  } catch (error) {
    await producer.disconnect().catch(() => undefined);
    throw error;
  }
}
