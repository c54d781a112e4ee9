import { BadRequestException, ForbiddenException } from '@nestjs/common';
import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { ID_PATTERN } from '@klp/contracts';
import { CurrentPrincipal, Requires } from '../auth/auth.guard';
import type { Principal } from '../auth/token-registry';
import { CommandsService } from '../commands/commands.service';
import { FleetController } from '../reads/fleet.controller';
import { HostsController } from '../reads/hosts.controller';
import { asGraphQL } from './errors';
import { toHostType } from './host-type';
import {
  CommandResultType,
  FunctionStacksType,
  HostFilterInput,
  HostPageType,
  HostType,
  PageInput,
  PatchStateCountsType,
  RunningTransitionType,
} from './types';

/**
 * The GraphQL reads of API.md. They call the REST controllers' methods, so both protocols share
 * one set of checks, access rules and queries.
 */
@Resolver()
@Requires('read')
export class QueriesResolver {
  constructor(
    private readonly hostReads: HostsController,
    private readonly fleetReads: FleetController,
    private readonly commands: CommandsService,
  ) {}

  @Query(() => HostType, { nullable: true })
  host(
    @CurrentPrincipal() principal: Principal,
    @Args('id') id: string,
    @Args('at', { type: () => String, nullable: true }) at?: string,
  ): Promise<HostType | null> {
    return asGraphQL(async () => {
      try {
        return toHostType(await this.hostReads.view(principal, id, at ?? undefined));
      } catch (error) {
        if ((error as { status?: number }).status === 404) return null;
        throw error;
      }
    });
  }

  @Query(() => HostPageType)
  hosts(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => HostFilterInput, nullable: true }) filter?: HostFilterInput,
    @Args('page', { type: () => PageInput, nullable: true }) page?: PageInput,
  ): Promise<HostPageType> {
    return asGraphQL(() =>
      this.hostReads.list(
        principal,
        filter?.patch,
        filter?.state,
        filter?.kernel,
        filter?.label,
        filter?.prefix,
        page?.limit === undefined ? undefined : String(page.limit),
        page?.cursor,
      ),
    );
  }

  @Query(() => [PatchStateCountsType])
  patches(@CurrentPrincipal() principal: Principal): Promise<PatchStateCountsType[]> {
    return asGraphQL(async () =>
      Object.entries(await this.fleetReads.patches(principal)).map(([patch, counts]) => ({
        patch,
        ...counts,
      })),
    );
  }

  @Query(() => [RunningTransitionType])
  transitions(
    @CurrentPrincipal() principal: Principal,
    @Args('olderThan', { type: () => String, nullable: true }) olderThan?: string,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
  ): Promise<RunningTransitionType[]> {
    return asGraphQL(
      async () =>
        (
          await this.fleetReads.transitions(
            principal,
            olderThan,
            limit === undefined ? undefined : String(limit),
          )
        ).items,
    );
  }

  @Query(() => FunctionStacksType)
  function(
    @CurrentPrincipal() principal: Principal,
    @Args('object') object: string,
    @Args('func') func: string,
    @Args('page', { type: () => PageInput, nullable: true }) page?: PageInput,
  ): Promise<FunctionStacksType> {
    return asGraphQL(() =>
      this.fleetReads.function(
        principal,
        object,
        func,
        page?.limit === undefined ? undefined : String(page.limit),
        page?.cursor,
      ),
    );
  }

  @Query(() => CommandResultType)
  command(@CurrentPrincipal() principal: Principal, @Args('id') id: string): Promise<CommandResultType> {
    return asGraphQL(async () => {
      if (!ID_PATTERN.test(id))
        throw new BadRequestException({ reason: 'id must be 1-128 characters of [A-Za-z0-9._:-]' });
      const answer = await this.commands.outcomeOf(id);
      if (answer.status !== 'pending' && principal.hosts && !principal.hosts.test(answer.hostId)) {
        throw new ForbiddenException({ reason: 'this command is for a host outside your pattern' });
      }
      return answer;
    });
  }
}
