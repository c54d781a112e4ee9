import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import type { ExecutionResult, GraphQLError } from 'graphql';
import type { Request } from 'express';
import { formatGraphQLError } from './errors';

interface ContextInput {
  /** Queries and mutations over HTTP. */
  req?: Request;
  /** Subscriptions over graphql-ws: the client's `connectionParams`. */
  connectionParams?: Record<string, unknown>;
}

/**
 * The GraphQL context the auth guard reads: the HTTP request, or for a subscription a request
 * made of the `authorization` the client sent in its connection parameters (WebSocket upgrades
 * from browsers cannot carry headers).
 */
export function graphqlContext(input: ContextInput): { req: Pick<Request, 'headers'> } {
  if (input.req) return { req: input.req };
  const authorization = input.connectionParams?.authorization ?? input.connectionParams?.Authorization;
  return {
    req: { headers: { authorization: typeof authorization === 'string' ? authorization : undefined } },
  };
}

/**
 * graphql-ws does not go through Apollo's formatError, so a refused subscription would lose its
 * code: map the errors of each result the same way (onNext is passed through to graphql-ws).
 */
export const graphqlWsOptions = {
  path: '/graphql',
  onNext: (_context: unknown, _id: string, _payload: unknown, _args: unknown, result: ExecutionResult) =>
    result.errors
      ? {
          ...result,
          errors: result.errors.map((error: GraphQLError) => formatGraphQLError(error.toJSON(), error)),
        }
      : undefined,
} as GraphQLWsSubscriptionsConfig;
