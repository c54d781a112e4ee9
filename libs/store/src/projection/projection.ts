import type { DeadLetter } from '@klp/contracts';
import type { Pool, PoolClient } from 'pg';
import { unnestWriter, type BulkWriter } from './bulk-writer';
import { writeAuditRecords, writeEventRecords } from './batch-writes';
import { FENCED_BEGIN } from './fence';
import { HostCache } from './host-cache';
import type { ProjectedHost } from './projected-host';
import { deadLetter, type SourceRecord } from './record-parsing';
import { SETTLED_CHANNEL, notifySettled } from './settled-notify';

export type ProjectionKind = 'events' | 'audit';

/** The records of one topic-partition, in offset order, to apply as one unit of work. */
export interface PartitionBatch {
  readonly kind: ProjectionKind;
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly SourceRecord[];
  /**
   * The offset after the batch, counting records the consumer filtered out (transaction markers,
   * aborted records): kafkajs' `batch.lastOffset() + 1`. Defaults to the last record's offset + 1.
   */
  readonly nextOffset?: string;
}

export interface BatchResult {
  /** `projection_offsets.next_offset` before and after. */
  readonly storedBefore: string;
  readonly nextOffset: string;
  /** Records that took effect now, records below the stored offset (applied before), dead letters. */
  readonly applied: number;
  readonly skipped: number;
  readonly deadLetters: number;
  /** Command ids whose outcome this batch wrote (and NOTIFYed). */
  readonly settled: readonly string[];
}

export type ProjectionLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface ProjectionOptions {
  /** Named in dead letters. */
  readonly app?: string;
  readonly writer?: BulkWriter;
  /** The NOTIFY channel of settled command ids; `null` sends none (a rebuild replays old commands). */
  readonly notifyChannel?: string | null;
  /** Most hosts kept folded in memory; the others are reloaded from `event_log` when they return. */
  readonly cacheHosts?: number;
  /** Sends dead letters to klp.dlq. Awaited before the commit: a crash re-sends rather than loses one. */
  readonly publishDeadLetters?: (letters: readonly DeadLetter[]) => Promise<void>;
  readonly clock?: () => Date;
  readonly log?: ProjectionLog;
}

/** Postgres refusing the data itself (class 22 data exception, 23 integrity violation): retrying the same rows fails the same way. */
function isDataError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

const nextAfter = (record: SourceRecord) => (BigInt(record.offset) + 1n).toString();

/**
 * The projector's unit of work: one topic-partition batch in one Postgres transaction, together with
 * its `projection_offsets` row. The row is locked first and the records below its offset skipped, so
 * a batch applied twice (a crash after commit, a rebalance, two instances) takes effect once.
 */
export class Projection {
  private readonly cache: HostCache;
  /** The offset this instance last committed per events partition: another value means another instance moved on. */
  private readonly committed = new Map<number, bigint>();
  private readonly writer: BulkWriter;
  private readonly channel: string | null;
  private readonly log: ProjectionLog;
  /**
   * The OID of the `projection_offsets` table last seen: it changes when a rebuild swaps a new
   * schema in (ADR 0005), and then nothing folded from the old rows is trusted any more.
   */
  private generation: string | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly options: ProjectionOptions = {},
  ) {
    this.cache = new HostCache(options.cacheHosts ?? 50_000);
    this.writer = options.writer ?? unnestWriter;
    this.channel = options.notifyChannel === undefined ? SETTLED_CHANNEL : options.notifyChannel;
    this.log = options.log ?? (() => undefined);
  }

  get cachedHosts(): number {
    return this.cache.size;
  }

  /**
   * Applies a batch. A batch Postgres refuses for its data is split in halves until the one record
   * at fault is found; that one goes to klp.dlq and its offset advances, so nothing blocks.
   */
  async apply(batch: PartitionBatch): Promise<BatchResult> {
    try {
      return await this.applyOnce(batch, null);
    } catch (error) {
      if (!isDataError(error)) throw error;
      const { records } = batch;
      const where = `${batch.topic}[${batch.partition}] @${records[0]?.offset ?? '-'}..${records.at(-1)?.offset ?? '-'}`;
      this.log(
        'warn',
        `${where}: Postgres refused the batch (${error.code} ${error.message}); isolating the record at fault`,
      );
      if (records.length <= 1)
        return this.applyOnce(batch, `Postgres refused it: ${error.code} ${error.message}`);
      const middle = Math.floor(records.length / 2);
      const first = await this.apply({
        ...batch,
        records: records.slice(0, middle),
        nextOffset: nextAfter(records[middle - 1]),
      });
      const second = await this.apply({ ...batch, records: records.slice(middle) });
      return {
        storedBefore: first.storedBefore,
        nextOffset: second.nextOffset,
        applied: first.applied + second.applied,
        skipped: first.skipped + second.skipped,
        deadLetters: first.deadLetters + second.deadLetters,
        settled: [...first.settled, ...second.settled],
      };
    }
  }

  /** The stored next offset of each partition of `topic` (where the consumer seeks on assignment). */
  async storedOffsets(topic: string): Promise<Map<number, string>> {
    const { rows } = await this.pool.query<{ partition: number; next_offset: string }>(
      `SELECT partition, next_offset FROM projection_offsets WHERE topic = $1`,
      [topic],
    );
    return new Map(rows.map((row) => [row.partition, row.next_offset]));
  }

  /** Lets go of a partition this instance no longer owns (its hosts leave the cache). */
  forgetPartition(kind: ProjectionKind, partition: number): void {
    if (kind !== 'events') return;
    this.committed.delete(partition);
    this.cache.dropPartition(partition);
  }

  private async applyOnce(batch: PartitionBatch, poison: string | null): Promise<BatchResult> {
    const client = await this.pool.connect();
    const staged = new Map<string, ProjectedHost>();
    let committed = false;
    let failure: unknown;
    let next = 0n;
    let generation: string | undefined;
    try {
      await client.query(FENCED_BEGIN);
      const { stored, table } = await lockOffset(client, batch.topic, batch.partition);
      generation = table;
      if (table !== this.generation) {
        if (this.generation !== undefined)
          this.log('info', 'the read model was swapped (a rebuild): every folded host is forgotten');
        this.cache.clear();
        this.committed.clear();
        this.generation = table;
      }
      if (batch.kind === 'events' && this.committed.get(batch.partition) !== stored) {
        this.cache.dropPartition(batch.partition);
      }
      const fresh = batch.records.filter((record) => BigInt(record.offset) >= stored);
      const last = batch.records.at(-1);
      const end = BigInt(batch.nextOffset ?? (last ? nextAfter(last) : stored));
      next = end > stored ? end : stored;
      const letters: DeadLetter[] = [];
      const letter = (record: SourceRecord, error: string) =>
        letters.push(
          deadLetter(
            batch,
            record,
            error,
            this.options.app ?? 'projector',
            this.options.clock?.() ?? new Date(),
          ),
        );
      let settled: string[] = [];
      if (poison !== null) {
        for (const record of fresh) letter(record, poison);
      } else if (batch.kind === 'events') {
        const context = {
          client,
          writer: this.writer,
          cache: this.cache,
          partition: batch.partition,
          log: this.log,
        };
        settled = await writeEventRecords(context, fresh, staged, letter);
      } else {
        await writeAuditRecords(client, this.writer, fresh, letter);
      }
      if (letters.length > 0) {
        if (!this.options.publishDeadLetters)
          throw new Error(`${letters.length} dead letter(s) and no publisher`);
        await this.options.publishDeadLetters(letters);
      }
      if (settled.length > 0 && this.channel !== null) await notifySettled(client, this.channel, settled);
      if (next !== stored) {
        await client.query(
          `UPDATE projection_offsets SET next_offset = $3, updated_at = now() WHERE topic = $1 AND partition = $2`,
          [batch.topic, batch.partition, next.toString()],
        );
      }
      await client.query('COMMIT');
      committed = true;
      return {
        storedBefore: stored.toString(),
        nextOffset: next.toString(),
        applied: fresh.length - letters.length,
        skipped: batch.records.length - fresh.length,
        deadLetters: letters.length,
        settled,
      };
    } catch (error) {
      failure = error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      this.writer.endTransaction(client, committed);
      if (committed) {
        // A batch that committed into a schema swapped out meanwhile (it overlapped a newer batch)
        // folded the old rows: the cache, cleared for the new ones, does not take its states.
        if (generation === this.generation) {
          for (const [hostId, host] of staged) this.cache.set(hostId, host);
          if (batch.kind === 'events') this.committed.set(batch.partition, next);
        }
      } else {
        // A failed COMMIT may still have committed: forget what this batch touched, reload it later.
        for (const hostId of staged.keys()) this.cache.delete(hostId);
        if (batch.kind === 'events') this.committed.delete(batch.partition);
      }
      // A connection that failed for another reason than the data may be broken: do not reuse it.
      client.release(failure !== undefined && !isDataError(failure) ? (failure as Error) : undefined);
    }
  }
}

/**
 * Locks the partition's offset row (creating it at 0) and reads it, with the OID of the table it
 * lives in (the read model's generation): one round trip.
 */
async function lockOffset(
  client: PoolClient,
  topic: string,
  partition: number,
): Promise<{ stored: bigint; table: string }> {
  const { rows } = await client.query<{ next_offset: string; table_oid: string }>(
    `INSERT INTO projection_offsets AS o (topic, partition, next_offset) VALUES ($1, $2, 0)
     ON CONFLICT (topic, partition) DO UPDATE SET next_offset = o.next_offset
     RETURNING next_offset, tableoid::text AS table_oid`,
    [topic, partition],
  );
  return { stored: BigInt(rows[0].next_offset), table: rows[0].table_oid };
}
