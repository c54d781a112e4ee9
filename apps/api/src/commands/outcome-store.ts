import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { CommandOutcome, Errno } from '@klp/contracts';
import { PG_POOL } from '../infrastructure.module';
import { Coalescer } from './coalescer';

interface OutcomeRow {
  command_id: string;
  host_id: string;
  status: 'accepted' | 'rejected';
  version: number;
  errno: Errno | null;
  reason: string | null;
}

/** Ids per lookup query: a NOTIFY wakes up to a projector batch of waiters at once. */
const MAX_IDS_PER_QUERY = 5000;

/**
 * Reads settled outcomes from the read model's `command_outcomes`. Concurrent lookups share one
 * query ({@link Coalescer}): the waiters woken by one notification, and the ones re-checking,
 * would otherwise each take a pool connection, and past a second of latency the re-checks alone
 * queued the pool (bench/e2e).
 */
@Injectable()
export class OutcomeStore {
  private readonly lookups = new Coalescer<string, Map<string, CommandOutcome>>(
    (commandIds) => this.query(commandIds),
    MAX_IDS_PER_QUERY,
  );

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The outcomes of `commandIds` that are settled; the query may be shared, the answer is the caller's own. */
  async find(commandIds: readonly string[]): Promise<Map<string, CommandOutcome>> {
    const shared = await this.lookups.submit(commandIds, new Map());
    const own = new Map<string, CommandOutcome>();
    for (const id of commandIds) {
      const outcome = shared.get(id);
      if (outcome) own.set(id, outcome);
    }
    return own;
  }

  private async query(commandIds: readonly string[]): Promise<Map<string, CommandOutcome>> {
    const result = await this.pool.query<OutcomeRow>(
      `SELECT command_id, host_id, status, version, errno, reason FROM command_outcomes WHERE command_id = ANY($1)`,
      [[...new Set(commandIds)]],
    );
    return new Map(result.rows.map((row) => [row.command_id, toOutcome(row)]));
  }
}

function toOutcome(row: OutcomeRow): CommandOutcome {
  if (row.status === 'accepted') {
    return { commandId: row.command_id, hostId: row.host_id, status: 'accepted', version: row.version };
  }
  return {
    commandId: row.command_id,
    hostId: row.host_id,
    status: 'rejected',
    errno: row.errno ?? 'EINVAL',
    reason: row.reason ?? '',
    version: row.version,
  };
}
