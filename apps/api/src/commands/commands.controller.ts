import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { ID_PATTERN, MAX_BATCH_COMMANDS } from '@klp/contracts';
import { CurrentPrincipal } from '../auth/auth.guard';
import { hasCapability } from '../auth/access';
import type { Principal } from '../auth/token-registry';
import { type CommandAnswer, httpStatusOf } from './http-outcome';
import { CommandsService, type SubmitOptions } from './commands.service';

const DEFAULT_WAIT_MS = 10_000;
const MAX_WAIT_MS = 60_000;

function submitOptions(
  wait: string | undefined,
  timeoutMs: string | undefined,
  headers: Record<string, string | undefined>,
): SubmitOptions {
  const problems = [];
  if (wait !== undefined && wait !== 'true' && wait !== 'false') {
    problems.push({ path: 'wait', message: 'wait must be true or false' });
  }
  // Digits only: Number() would also take ' 5', '1e3' and '0x10'.
  const timeout =
    timeoutMs === undefined ? DEFAULT_WAIT_MS : /^\d{1,7}$/.test(timeoutMs) ? Number(timeoutMs) : NaN;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_WAIT_MS) {
    problems.push({ path: 'timeoutMs', message: `timeoutMs must be an integer from 1 to ${MAX_WAIT_MS}` });
  }
  const idempotencyKey = headers['idempotency-key'];
  if (idempotencyKey !== undefined && !ID_PATTERN.test(idempotencyKey)) {
    problems.push({ path: 'Idempotency-Key', message: 'must be 1-128 characters of [A-Za-z0-9._:-]' });
  }
  if (problems.length > 0) throw new BadRequestException({ error: 'invalid request', problems });
  return {
    wait: wait === 'true',
    timeoutMs: timeout,
    idempotencyKey,
    correlationId: headers['x-correlation-id'],
  };
}

@Controller('v1')
export class CommandsController {
  constructor(private readonly commands: CommandsService) {}

  @Post('commands')
  async submit(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Query('wait') wait: string | undefined,
    @Query('timeoutMs') timeoutMs: string | undefined,
    @Headers() headers: Record<string, string | undefined>,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandAnswer> {
    const options = submitOptions(wait, timeoutMs, headers);
    const [submission] = await this.commands.submit(principal, [body], options);
    if (submission.kind === 'invalid') {
      throw new BadRequestException({
        error: 'the command does not fit its schema',
        problems: submission.problems,
      });
    }
    if (submission.kind === 'forbidden')
      throw new ForbiddenException({ error: 'forbidden', reason: submission.reason });
    response.status(httpStatusOf(submission.answer, options.wait));
    return submission.answer;
  }

  @Post('commands\\:batch')
  @HttpCode(200)
  async submitBatch(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Query('wait') wait: string | undefined,
    @Query('timeoutMs') timeoutMs: string | undefined,
    @Headers() headers: Record<string, string | undefined>,
  ): Promise<{ results: Array<Record<string, unknown>> }> {
    const options = submitOptions(wait, timeoutMs, { ...headers, 'idempotency-key': undefined });
    const commands = Array.isArray(body) ? body : (body as { commands?: unknown } | null)?.commands;
    if (!Array.isArray(commands) || commands.length === 0 || commands.length > MAX_BATCH_COMMANDS) {
      throw new BadRequestException({
        error: 'invalid batch',
        problems: [
          { path: 'commands', message: `commands must be an array of 1 to ${MAX_BATCH_COMMANDS} commands` },
        ],
      });
    }
    const submissions = await this.commands.submit(principal, commands, options);
    return {
      results: submissions.map((submission, index) => {
        switch (submission.kind) {
          case 'invalid':
            return {
              index,
              httpStatus: 400,
              error: 'the command does not fit its schema',
              problems: submission.problems,
            };
          case 'forbidden':
            return { index, httpStatus: 403, error: 'forbidden', reason: submission.reason };
          case 'answer':
            return { index, httpStatus: httpStatusOf(submission.answer, options.wait), ...submission.answer };
        }
      }),
    };
  }

  @Get('commands/:commandId')
  async outcome(
    @CurrentPrincipal() principal: Principal,
    @Param('commandId') commandId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandAnswer> {
    if (!ID_PATTERN.test(commandId)) {
      throw new BadRequestException({
        error: 'invalid request',
        problems: [{ path: 'commandId', message: 'bad id' }],
      });
    }
    if (!hasCapability(principal, 'read')) throw new ForbiddenException();
    const answer = await this.commands.outcomeOf(commandId);
    if (answer.status !== 'pending' && principal.hosts && !principal.hosts.test(answer.hostId)) {
      throw new ForbiddenException({
        error: 'forbidden',
        reason: 'this command is for a host outside your pattern',
      });
    }
    response.status(answer.status === 'pending' ? 200 : httpStatusOf(answer, false));
    return answer;
  }
}
