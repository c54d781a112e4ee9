import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { CommandOutcome, Errno } from '@klp/contracts';
import { PG_POOL } from '../infrastructure.module';

interface OutcomeRow {
  command_id: string;
  host_id: string;
  status: 'accepted' | 'rejected';
  version: number;
  errno: Errno | null;
  reason: string | null;
}

/** Reads settled outcomes from the read model's `command_outcomes`. */
@Injectable()
export class OutcomeStore {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async find(commandIds: readonly string[]): Promise<Map<string, CommandOutcome>> {
    if (commandIds.length === 0) return new Map();
    const result = await this.pool.query<OutcomeRow>(
      `SELECT command_id, host_id, status, version, errno, reason FROM command_outcomes WHERE command_id = ANY($1)`,
      [commandIds],
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
