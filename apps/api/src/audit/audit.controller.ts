import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Pool } from 'pg';
import type { ChainVerdict } from '@klp/store';
import { CurrentPrincipal, Requires } from '../auth/auth.guard';
import type { Principal } from '../auth/token-registry';
import { PG_POOL } from '../infrastructure.module';
import { streamAuditExport } from './audit-export';
import { AuditService } from './audit.service';

/** API.md "Audit": the hash-chained record of every attribute change, and its verification. */
@Controller('v1/audit')
@Requires('audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  /** Newest first in pages; with `Accept: application/x-ndjson`, every match oldest first. */
  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Res() response: Response,
    @Headers('accept') accept?: string,
    @Query('hostId') hostId?: string,
    @Query('patch') patch?: string,
    @Query('actor') actor?: string,
    @Query('commandId') commandId?: string,
    @Query('since') since?: string,
    @Query('until') until?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    const query = { hostId, patch, actor, commandId, since, until };
    if (accept?.includes('application/x-ndjson')) {
      await streamAuditExport(this.pool, this.audit.filter(principal, query), response);
      return;
    }
    response.json(await this.audit.page(principal, query, limit, cursor));
  }

  @Get('verify')
  verify(@CurrentPrincipal() principal: Principal, @Query('hostId') hostId?: string): Promise<ChainVerdict> {
    return this.audit.verify(principal, hostId);
  }
}
