import type { AuditRecord, HostEvent } from '@klp/contracts';
import type { PartitionBatch, SourceRecord } from '@klp/store';

/** A partition for a host id, stable across runs (FNV-1a); Kafka's own partitioner is used where Kafka is. */
export function partitionOf(hostId: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const char of hostId) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash % partitions;
}

export function record(offset: number, key: string | null, value: unknown): SourceRecord {
  return {
    offset: String(offset),
    key: key === null ? null : Buffer.from(key),
    value: Buffer.isBuffer(value)
      ? value
      : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  };
}

/**
 * Lays events (or audit records, packed per command) out as Kafka would: keyed by host to a
 * partition, consecutive offsets per partition in append order, then cut into batches of at most
 * `size` per partition.
 */
export function partitionBatches(
  kind: PartitionBatch['kind'],
  topic: string,
  items: readonly (HostEvent | AuditRecord)[],
  partitions: number,
  size: number,
): PartitionBatch[] {
  const values = new Map<number, { hostId: string; commandId: string; members: unknown[] }[]>();
  for (const item of items) {
    const partition = partitionOf(item.hostId, partitions);
    const log = values.get(partition) ?? [];
    const last = log.at(-1);
    // klp.audit packs the records of one command into one Kafka record, as the decider does (ADR 0013).
    if (kind === 'audit' && last?.hostId === item.hostId && last.commandId === item.commandId) {
      last.members.push(item);
    } else log.push({ hostId: item.hostId, commandId: item.commandId, members: [item] });
    values.set(partition, log);
  }
  const logs = new Map<number, SourceRecord[]>();
  for (const [partition, log] of values) {
    logs.set(
      partition,
      log.map(({ hostId, members }, offset) =>
        record(offset, hostId, kind === 'audit' ? members : members[0]),
      ),
    );
  }
  const batches: PartitionBatch[] = [];
  for (const [partition, log] of [...logs].sort(([a], [b]) => a - b)) {
    for (let start = 0; start < log.length; start += size) {
      batches.push({ kind, topic, partition, records: log.slice(start, start + size) });
    }
  }
  return batches;
}

/** Batches of several partitions interleaved (round robin), as a consumer would hand them over. */
export function interleave(batches: readonly PartitionBatch[]): PartitionBatch[] {
  const queues = new Map<string, PartitionBatch[]>();
  for (const batch of batches) {
    const key = `${batch.topic}:${batch.partition}`;
    queues.set(key, [...(queues.get(key) ?? []), batch]);
  }
  const out: PartitionBatch[] = [];
  while ([...queues.values()].some((queue) => queue.length > 0)) {
    for (const queue of queues.values()) {
      const next = queue.shift();
      if (next) out.push(next);
    }
  }
  return out;
}
