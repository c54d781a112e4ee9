import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { AuditRecord } from '@klp/contracts';
import { listAudit, verifyHostChain, type AuditFilter, type ChainVerdict } from '@klp/store';
import { mayReadHost } from '../auth/access';
import type { Principal } from '../auth/token-registry';
import { PG_POOL } from '../infrastructure.module';
import { limitParam, textParam } from '../reads/query-params';
import { auditCursorParam, encodeAuditCursor, instantParam } from './audit-params';

/** The query parameters of `GET /v1/audit`, as received. */
export interface AuditQuery {
  hostId?: string;
  patch?: string;
  actor?: string;
  commandId?: string;
  since?: string;
  until?: string;
}

/** What REST and GraphQL share of the audit reads: parameter checks, access, queries. */
@Injectable()
export class AuditService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Checked filters; a token limited to some hosts sees only their records. */
  filter(principal: Principal, query: AuditQuery): AuditFilter {
    const hostId = textParam(query.hostId, 'hostId', 128);
    if (hostId !== undefined && !mayReadHost(principal, hostId)) {
      throw new ForbiddenException({
        error: 'forbidden',
        reason: `host ${hostId} is outside your host pattern`,
      });
    }
    return {
      hostId,
      patch: textParam(query.patch, 'patch', 128),
      actor: textParam(query.actor, 'actor'),
      commandId: textParam(query.commandId, 'commandId', 128),
      since: instantParam(query.since, 'since'),
      until: instantParam(query.until, 'until'),
      hostPattern: principal.hosts?.source,
    };
  }

  async page(
    principal: Principal,
    query: AuditQuery,
    limit?: string,
    cursor?: string,
  ): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
    const page = await listAudit(
      this.pool,
      this.filter(principal, query),
      limitParam(limit, 100, 1000),
      auditCursorParam(cursor),
    );
    return { items: page.items, nextCursor: encodeAuditCursor(page.nextKey) };
  }

  async verify(principal: Principal, hostId: string | undefined): Promise<ChainVerdict> {
    const checked = textParam(hostId ?? '', 'hostId', 128) as string;
    if (!mayReadHost(principal, checked)) {
      throw new ForbiddenException({
        error: 'forbidden',
        reason: `host ${checked} is outside your host pattern`,
      });
    }
    return verifyHostChain(this.pool, checked);
  }
}
