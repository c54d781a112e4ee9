import { HttpException } from '@nestjs/common';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { CommandAnswer } from '../commands/http-outcome';
import type { Submission } from '../commands/commands.service';
import type { CommandResultType } from './types';

/** A refused command: the errno is the error's `extensions.code` (API.md, "GraphQL"). */
export function commandResult(submission: Submission): CommandResultType {
  if (submission.kind === 'invalid') {
    throw new GraphQLError('the command does not fit its schema', {
      extensions: { code: 'BAD_USER_INPUT', problems: submission.problems },
    });
  }
  if (submission.kind === 'forbidden') {
    throw new GraphQLError(submission.reason, { extensions: { code: 'FORBIDDEN' } });
  }
  const answer: CommandAnswer = submission.answer;
  if (answer.status === 'rejected') {
    throw new GraphQLError(answer.reason, {
      extensions: {
        code: answer.errno,
        commandId: answer.commandId,
        hostId: answer.hostId,
        version: answer.version,
      },
    });
  }
  return answer;
}

/** The REST layer's HTTP exceptions (400 on a bad parameter, 403, 404) as GraphQL errors. */
export async function asGraphQL<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    const status = error.getStatus();
    const code =
      status === 400
        ? 'BAD_USER_INPUT'
        : status === 403
          ? 'FORBIDDEN'
          : status === 404
            ? 'NOT_FOUND'
            : 'ERROR';
    const body = error.getResponse();
    const reason = typeof body === 'object' && body && 'reason' in body ? String(body.reason) : error.message;
    throw new GraphQLError(reason, {
      extensions: {
        code,
        ...(typeof body === 'object' && body && 'problems' in body ? { problems: body.problems } : {}),
      },
    });
  }
}

/**
 * Errors thrown outside a resolver's own handling (the auth guard's 401/403) keep their meaning
 * as a code; no stack trace ever leaves the server.
 */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = (error as { originalError?: unknown }).originalError;
  if (original instanceof HttpException) {
    const status = original.getStatus();
    const code =
      status === 401
        ? 'UNAUTHENTICATED'
        : status === 403
          ? 'FORBIDDEN'
          : status === 404
            ? 'NOT_FOUND'
            : 'BAD_REQUEST';
    const body = original.getResponse();
    const reason =
      typeof body === 'object' && body && 'reason' in body ? String(body.reason) : original.message;
    return { message: reason, locations: formatted.locations, path: formatted.path, extensions: { code } };
  }
  return formatted;
}

/**
 * A request refused only for bad input answers HTTP 400, like REST (issue 4): clients and
 * proxies see a failure without parsing the body. Partial successes stay 200.
 */
export const badInputStatusPlugin: ApolloServerPlugin = {
  requestDidStart() {
    return Promise.resolve({
      willSendResponse({ response }) {
        if (response.body.kind !== 'single') return Promise.resolve();
        const { errors, data } = response.body.singleResult;
        const allBadInput =
          !!errors?.length && errors.every((error) => error.extensions?.code === 'BAD_USER_INPUT');
        const nothingAnswered = !data || Object.values(data).every((value) => value === null);
        if (allBadInput && nothingAnswered) response.http.status = 400;
        return Promise.resolve();
      },
    });
  },
};
