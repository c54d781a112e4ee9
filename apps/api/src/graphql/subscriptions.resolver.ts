import { ForbiddenException, Inject } from '@nestjs/common';
import { Args, Resolver, Subscription } from '@nestjs/graphql';
import type { Pool } from 'pg';
import { AUDIT_COLUMNS, type AuditRow, auditRecordFromRow, readHostView } from '@klp/store';
import { hasCapability, mayReadHost } from '../auth/access';
import { CurrentPrincipal, Requires } from '../auth/auth.guard';
import type { Principal } from '../auth/token-registry';
import { AuditRecordType } from '../audit/audit-types';
import { SettlementListener } from '../commands/settlement-listener';
import { PG_POOL } from '../infrastructure.module';
import { Channel } from './channel';
import { toHostType } from './host-type';
import { HostType } from './types';

/**
 * API.md's subscriptions, fed by the projector's NOTIFY: after each settled batch a subscriber
 * reads what it needs again (the host's view when its version moved; its audit records past the
 * last seq it sent), so it never misses a change and never sends one twice.
 */
@Resolver()
@Requires('read')
export class SubscriptionsResolver {
  constructor(
    private readonly listener: SettlementListener,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  @Subscription(() => HostType, { name: 'hostChanged' })
  async hostChanged(
    @CurrentPrincipal() principal: Principal,
    @Args('hostId') hostId: string,
  ): Promise<AsyncIterableIterator<{ hostChanged: HostType }>> {
    if (!mayReadHost(principal, hostId))
      throw new ForbiddenException({ reason: 'host outside your pattern' });
    await this.listener.ready();
    let version = (await readHostView(this.pool, hostId))?.version ?? 0;
    return this.follow(async (channel: Channel<{ hostChanged: HostType }>) => {
      const hostView = await readHostView(this.pool, hostId);
      if (!hostView || hostView.version === version) return;
      version = hostView.version;
      channel.push({ hostChanged: toHostType(hostView) });
    });
  }

  @Subscription(() => AuditRecordType, { name: 'auditAppended' })
  async auditAppended(
    @CurrentPrincipal() principal: Principal,
    @Args('hostId') hostId: string,
  ): Promise<AsyncIterableIterator<{ auditAppended: AuditRecordType }>> {
    if (!hasCapability(principal, 'audit') || !mayReadHost(principal, hostId)) {
      throw new ForbiddenException({ reason: 'the audit log of this host is not yours to read' });
    }
    await this.listener.ready();
    const head = await this.pool.query<{ seq: string | null }>(
      `SELECT max(seq)::text AS seq FROM audit_log WHERE host_id = $1`,
      [hostId],
    );
    let lastSeq = Number(head.rows[0]?.seq ?? 0);
    return this.follow(async (channel: Channel<{ auditAppended: AuditRecordType }>) => {
      const rows = await this.pool.query<AuditRow>(
        `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE host_id = $1 AND seq > $2 ORDER BY seq LIMIT 1000`,
        [hostId, lastSeq],
      );
      for (const row of rows.rows) {
        const record = auditRecordFromRow(row);
        lastSeq = record.seq;
        channel.push({ auditAppended: record });
      }
    });
  }

  /** One check at a time per subscriber; notifications that arrive meanwhile ask for one more. */
  private follow<T>(check: (channel: Channel<T>) => Promise<void>): Channel<T> {
    let running = false;
    let again = false;
    const run = async (): Promise<void> => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          await check(channel);
        } while (again);
      } catch {
        // a failed read is retried on the next notification
      } finally {
        running = false;
      }
    };
    const unwatch = this.listener.watch(() => void run());
    const channel: Channel<T> = new Channel<T>(unwatch);
    return channel;
  }
}
