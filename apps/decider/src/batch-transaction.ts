import { deadLetterMessage, deadLetterOf, sendInChunks, type TopicNames } from '@klp/kafka';
import type { Message, Producer } from 'kafkajs';
import { decideBatch, type CommandRecord, type DecideFn, type DecidedBatch } from './decide-batch';
import type { HostEntry } from './host-entry';
import { BatchWork, planSnapshots, type PartitionState, type SnapshotPolicy } from './partition-state';
import { checkpointMessage, snapshotMessage } from './snapshots';

/** Header on every klp.events record: the type of the command that caused it (events do not say). */
export const COMMAND_TYPE_HEADER = 'klp-command-type';

/** A snapshot record larger than this is not written (the host stays dirty and is replayed instead). */
export const MAX_SNAPSHOT_BYTES = 4 * 1024 * 1024;

export interface TransactionSetup {
  readonly topics: TopicNames;
  readonly groupId: string;
  readonly app: string;
  readonly policy: SnapshotPolicy;
  readonly now: () => Date;
  readonly decideFn?: DecideFn;
  readonly onOversizedSnapshot?: (hostId: string, bytes: number) => void;
}

export interface BatchResult {
  readonly decided: DecidedBatch;
  readonly snapshots: number;
  readonly auditRecords: number;
}

function encodeSnapshot(setup: TransactionSetup) {
  return (hostId: string, entry: HostEntry): Message | null => {
    const message = snapshotMessage(hostId, entry);
    const bytes = Buffer.byteLength(message.value as string);
    if (bytes <= MAX_SNAPSHOT_BYTES) return message;
    setup.onOversizedSnapshot?.(hostId, bytes);
    return null;
  };
}

/**
 * Decides `records` (consecutive commands of one partition) and writes the outcome in ONE Kafka
 * transaction: the events, the audit records, the dead letters, the snapshots that are due, the
 * partition's checkpoint and the consumed offset. Only after the commit succeeds does the
 * partition's in-memory state take the batch (`state.commit`); on any failure the transaction is
 * aborted, the state is left as it was, and the error is thrown for the caller to re-recover.
 */
export async function commitBatch(
  producer: Producer,
  state: PartitionState,
  records: readonly CommandRecord[],
  setup: TransactionSetup,
): Promise<BatchResult> {
  const { topics, policy } = setup;
  const partition = state.partition;
  const work = new BatchWork(state);
  const decided = decideBatch(work, records, setup.decideFn);
  const next = BigInt(records[records.length - 1].offset) + 1n;

  // Built with their partition: sendInChunks would otherwise copy each message to add it.
  const events: Message[] = decided.events.map((event) => ({
    key: event.hostId,
    value: event.value,
    partition,
    headers: { [COMMAND_TYPE_HEADER]: event.commandType },
  }));
  const audit: Message[] = decided.audit.map((record) => ({
    key: record.hostId,
    value: record.value,
    partition,
  }));
  const at = setup.now();
  const deadLetters: Message[] = decided.deadLetters.map(({ record, error }) => {
    const source = { topic: topics.commands, partition, ...record };
    return deadLetterMessage(deadLetterOf(source, error, setup.app, at), source);
  });

  const transaction = await producer.transaction();
  try {
    const [eventOffsets, auditOffsets] = await sendInChunks(transaction, [
      { topic: topics.events, partition, messages: events },
      { topic: topics.audit, partition, messages: audit },
      { topic: topics.dlq, messages: deadLetters },
    ]);
    work.place(
      decided.events.map((event) => event.hostId),
      eventOffsets,
      auditOffsets,
    );
    const plan = planSnapshots(work, policy, encodeSnapshot(setup));
    const snapshots = [...plan.messages];
    const previous = state.checkpoint;
    if (previous?.events !== plan.checkpoint.events || previous.audit !== plan.checkpoint.audit) {
      snapshots.push(checkpointMessage(partition, plan.checkpoint));
    }
    if (snapshots.length > 0) {
      await sendInChunks(transaction, [
        { topic: topics.snapshots, partition, messages: snapshots, compress: true },
      ]);
    }
    await transaction.sendOffsets({
      consumerGroupId: setup.groupId,
      topics: [{ topic: topics.commands, partitions: [{ partition, offset: next.toString() }] }],
    });
    await transaction.commit();
    state.commit(work, plan, next);
    return { decided, snapshots: plan.hostIds.length, auditRecords: decided.auditRecords };
  } catch (error) {
    if (transaction.isActive()) await transaction.abort().catch(() => undefined);
    throw error;
  }
}
