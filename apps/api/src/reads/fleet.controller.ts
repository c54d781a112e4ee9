import { Controller, ForbiddenException, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import type { Pool } from 'pg';
import type { DerivedState } from '@klp/contracts';
import {
  functionStacks,
  listHosts,
  longTransitions,
  patchEverSeen,
  patchExists,
  patchHostsAt,
  patchRollup,
  type FunctionStackEntry,
  type HostSummary,
  type PatchStateAt,
  type TransitionSummary,
} from '@klp/store';
import { instantParam } from '../audit/audit-params';
import { CurrentPrincipal, Requires } from '../auth/auth.guard';
import { mayReadFleet } from '../auth/access';
import type { Principal } from '../auth/token-registry';
import { PG_POOL } from '../infrastructure.module';
import { cursorParam, durationParam, encodeCursor, limitParam, stateParam, textParam } from './query-params';

/** Fleet-wide reads; agents limited to some hosts may not see the whole fleet. */
@Controller('v1')
@Requires('read')
export class FleetController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Get('patches')
  async patches(
    @CurrentPrincipal() principal: Principal,
  ): Promise<Record<string, Record<DerivedState, number>>> {
    this.checkFleet(principal);
    return patchRollup(this.pool);
  }

  @Get('patches/:name/hosts')
  async patchHosts(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Query('state') state?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
    @Query('at') at?: string,
  ): Promise<{ items: HostSummary[] | PatchStateAt[]; nextCursor: string | null; at?: string }> {
    this.checkFleet(principal);
    const patch = textParam(name, 'name', 128) as string;
    if (at !== undefined)
      return this.patchHostsAt(patch, instantParam(at, 'at') as string, state, limit, cursor);
    const page = await listHosts(
      this.pool,
      { patch, state: stateParam(state) },
      limitParam(limit),
      cursorParam(cursor),
    );
    if (page.items.length === 0 && !(await patchExists(this.pool, patch))) {
      throw new NotFoundException({ error: 'not found', reason: `no host has patch ${patch}` });
    }
    return { items: page.items, nextCursor: encodeCursor(page.nextCursor) };
  }

  @Get('transitions')
  async transitions(
    @CurrentPrincipal() principal: Principal,
    @Query('olderThan') olderThan?: string,
    @Query('limit') limit?: string,
  ): Promise<{ items: TransitionSummary[] }> {
    this.checkFleet(principal);
    const now = new Date();
    const before = new Date(now.getTime() - durationParam(olderThan, 'olderThan'));
    return { items: await longTransitions(this.pool, before, limitParam(limit, 100, 1000), now) };
  }

  @Get('functions/:object/:func')
  async function(
    @CurrentPrincipal() principal: Principal,
    @Param('object') object: string,
    @Param('func') func: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ): Promise<{ object: string; func: string; items: FunctionStackEntry[]; nextCursor: string | null }> {
    this.checkFleet(principal);
    // `cmdline_proc_show` means sympos 1, like the sysfs directory `cmdline_proc_show,1`.
    const key = func.includes(',') ? func.replace(/,0$/, ',1') : `${func},1`;
    const page = await functionStacks(this.pool, object, key, limitParam(limit), cursorParam(cursor));
    return { object, func: key, items: page.items, nextCursor: encodeCursor(page.nextCursor) };
  }

  /** `?at=`: from `patch_state_history` (ADR 0006), so items are `{hostId, state, since}`. */
  async patchHostsAt(
    patch: string,
    at: string,
    state?: string,
    limit?: string,
    cursor?: string,
  ): Promise<{ at: string; items: PatchStateAt[]; nextCursor: string | null }> {
    const page = await patchHostsAt(
      this.pool,
      patch,
      at,
      stateParam(state),
      limitParam(limit),
      cursorParam(cursor),
    );
    if (page.items.length === 0 && !(await patchEverSeen(this.pool, patch))) {
      throw new NotFoundException({ error: 'not found', reason: `no host ever had patch ${patch}` });
    }
    return { at, items: page.items, nextCursor: encodeCursor(page.nextCursor) };
  }

  private checkFleet(principal: Principal): void {
    if (!mayReadFleet(principal)) {
      throw new ForbiddenException({
        error: 'forbidden',
        reason: 'fleet-wide reads need an unrestricted token',
      });
    }
  }
}
