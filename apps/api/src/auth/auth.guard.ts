import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { type Capability, hasCapability } from './access';
import { type Principal, type TokenRegistry, bearerToken } from './token-registry';

export const TOKEN_REGISTRY = Symbol('TOKEN_REGISTRY');
const REQUIRES = 'klp:requires';
const PUBLIC = 'klp:public';

/** The capability a route needs; routes without one only need a valid token. */
export const Requires = (capability: Capability) => SetMetadata(REQUIRES, capability);
/** Health and the dashboard's static files answer without a token. */
export const Public = () => SetMetadata(PUBLIC, true);

type AuthenticatedRequest = Request & { principal?: Principal };

export function requestFromContext(context: ExecutionContext): AuthenticatedRequest {
  if (context.getType<string>() === 'graphql') {
    const gqlContext = context.getArgByIndex<{ req: AuthenticatedRequest }>(2);
    return gqlContext.req;
  }
  return context.switchToHttp().getRequest<AuthenticatedRequest>();
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_REGISTRY) private readonly tokens: TokenRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const request = requestFromContext(context);
    const token = bearerToken(request.headers.authorization);
    const principal = token ? this.tokens.authenticate(token) : undefined;
    if (!principal)
      throw new UnauthorizedException({ error: 'unauthorized', reason: 'a valid bearer token is required' });
    request.principal = principal;
    const needed = this.reflector.getAllAndOverride<Capability | undefined>(REQUIRES, targets);
    if (needed && !hasCapability(principal, needed)) {
      throw new ForbiddenException({
        error: 'forbidden',
        reason: `role ${principal.role} may not ${needed}`,
      });
    }
    return true;
  }
}

/** The authenticated caller of the current request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = requestFromContext(context).principal;
  if (!principal) throw new UnauthorizedException();
  return principal;
});
