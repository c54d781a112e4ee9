import { Controller, ForbiddenException, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import type { Pool } from 'pg';
import { ID_PATTERN, type HostView } from '@klp/contracts';
import {
  hostEvents,
  hostViewAt,
  listHosts,
  readHostView,
  type HostSummary,
  type StoredEvent,
} from '@klp/store';
import { instantParam } from '../audit/audit-params';
import { Requires, CurrentPrincipal } from '../auth/auth.guard';
import { mayReadHost } from '../auth/access';
import type { Principal } from '../auth/token-registry';
import { PG_POOL } from '../infrastructure.module';
import {
  cursorParam,
  encodeCursor,
  integerParam,
  labelParam,
  limitParam,
  stateParam,
  textParam,
} from './query-params';

function checkedHostId(hostId: string): string {
  if (!ID_PATTERN.test(hostId))
    throw new NotFoundException({ error: 'not found', reason: `no host ${hostId}` });
  return hostId;
}

@Controller('v1/hosts')
@Requires('read')
export class HostsController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query('patch') patch?: string,
    @Query('state') state?: string,
    @Query('kernel') kernel?: string,
    @Query('label') label?: string,
    @Query('q') prefix?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ): Promise<{ items: HostSummary[]; nextCursor: string | null }> {
    const page = await listHosts(
      this.pool,
      {
        patch: textParam(patch, 'patch'),
        state: stateParam(state),
        kernelRelease: textParam(kernel, 'kernel'),
        label: labelParam(label),
        prefix: textParam(prefix, 'q', 128),
        hostPattern: principal.hosts?.source,
      },
      limitParam(limit),
      cursorParam(cursor),
    );
    return { items: page.items, nextCursor: encodeCursor(page.nextCursor) };
  }

  @Get(':hostId')
  async view(
    @CurrentPrincipal() principal: Principal,
    @Param('hostId') hostId: string,
    @Query('at') at?: string,
  ): Promise<HostView> {
    this.checkHostAccess(principal, checkedHostId(hostId));
    // `?at=`: the host's event_log folded up to that instant (time travel, ADR 0006).
    const instant = instantParam(at, 'at');
    const view =
      instant === undefined
        ? await readHostView(this.pool, hostId)
        : await hostViewAt(this.pool, hostId, instant);
    if (!view) {
      const when = instant === undefined ? '' : ` at ${instant}`;
      throw new NotFoundException({ error: 'not found', reason: `no host ${hostId}${when}` });
    }
    return view;
  }

  @Get(':hostId/events')
  async events(
    @CurrentPrincipal() principal: Principal,
    @Param('hostId') hostId: string,
    @Query('fromVersion') fromVersion?: string,
    @Query('limit') limit?: string,
  ): Promise<{ items: StoredEvent[] }> {
    this.checkHostAccess(principal, checkedHostId(hostId));
    const items = await hostEvents(
      this.pool,
      hostId,
      integerParam(fromVersion, 'fromVersion', 0),
      limitParam(limit, 1000, 10_000),
    );
    if (items.length === 0 && !(await readHostView(this.pool, hostId))) {
      throw new NotFoundException({ error: 'not found', reason: `no host ${hostId}` });
    }
    return { items };
  }

  private checkHostAccess(principal: Principal, hostId: string): void {
    if (!mayReadHost(principal, hostId)) {
      throw new ForbiddenException({
        error: 'forbidden',
        reason: `host ${hostId} is outside your host pattern`,
      });
    }
  }
}
