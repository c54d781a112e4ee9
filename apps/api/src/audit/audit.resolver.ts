import { Args, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, Requires } from '../auth/auth.guard';
import type { Principal } from '../auth/token-registry';
import { asGraphQL } from '../graphql/errors';
import { PageInput } from '../graphql/types';
import { FleetController } from '../reads/fleet.controller';
import { AuditFilterInput, AuditPageType, AuditVerdictType, PatchHostsAtPageType } from './audit-types';
import { AuditService } from './audit.service';

const limitText = (page?: PageInput) => (page?.limit == null ? undefined : String(page.limit));

/** GraphQL sends an explicit `null` for an argument set to null; REST's checks know only absent. */
function present<T extends object>(input: T | undefined): { [K in keyof T]?: NonNullable<T[K]> } {
  return Object.fromEntries(Object.entries(input ?? {}).filter(([, value]) => value != null)) as {
    [K in keyof T]?: NonNullable<T[K]>;
  };
}

/** GraphQL over the same checks and queries as `GET /v1/audit` and its time-travel reads. */
@Resolver()
export class AuditResolver {
  constructor(
    private readonly audit: AuditService,
    private readonly fleetReads: FleetController,
  ) {}

  @Query(() => AuditPageType, { name: 'audit' })
  @Requires('audit')
  auditLog(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => AuditFilterInput, nullable: true }) filter?: AuditFilterInput,
    @Args('page', { type: () => PageInput, nullable: true }) page?: PageInput,
  ): Promise<AuditPageType> {
    return asGraphQL(() =>
      this.audit.page(principal, present(filter), limitText(page), page?.cursor ?? undefined),
    );
  }

  @Query(() => AuditVerdictType)
  @Requires('audit')
  auditVerify(
    @CurrentPrincipal() principal: Principal,
    @Args('hostId') hostId: string,
  ): Promise<AuditVerdictType> {
    return asGraphQL(() => this.audit.verify(principal, hostId));
  }

  /** `GET /v1/patches/{name}/hosts?state=&at=`: the hosts where the patch was in that state then. */
  @Query(() => PatchHostsAtPageType)
  @Requires('read')
  patchHostsAt(
    @CurrentPrincipal() principal: Principal,
    @Args('name') name: string,
    @Args('at') at: string,
    @Args('state', { type: () => String, nullable: true }) state?: string,
    @Args('page', { type: () => PageInput, nullable: true }) page?: PageInput,
  ): Promise<PatchHostsAtPageType> {
    return asGraphQL(
      async () =>
        (await this.fleetReads.patchHosts(
          principal,
          name,
          state ?? undefined,
          limitText(page),
          page?.cursor ?? undefined,
          at,
        )) as PatchHostsAtPageType,
    );
  }
}
