import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { CommandBody, CommandEnvelope, CommandOutcome, Problem } from '@klp/contracts';
import { checkCommandBody } from '@klp/contracts';
import { maySend } from '../auth/access';
import type { Principal } from '../auth/token-registry';
import { CommandBus } from './command-bus';
import { type CommandAnswer, answerOf } from './http-outcome';
import { OutcomeStore } from './outcome-store';
import { SettlementListener } from './settlement-listener';

/** Waiters also re-read the table this often, in case a notification was lost with a connection. */
const RECHECK_MS = 1000;

export type Submission =
  | { kind: 'answer'; answer: CommandAnswer }
  | { kind: 'invalid'; problems: Problem[] }
  | { kind: 'forbidden'; reason: string };

export interface SubmitOptions {
  wait: boolean;
  timeoutMs: number;
  /** The Idempotency-Key header; the same thing as `commandId` for a single command. */
  idempotencyKey?: string;
  correlationId?: string;
}

@Injectable()
export class CommandsService {
  constructor(
    private readonly bus: CommandBus,
    private readonly outcomes: OutcomeStore,
    private readonly listener: SettlementListener,
  ) {}

  /**
   * Checks, authorises and sends a batch; answers per body in order. Nothing of a body that fails
   * its check is sent; valid ones in the same batch still are.
   */
  async submit(
    principal: Principal,
    bodies: readonly unknown[],
    options: SubmitOptions,
  ): Promise<Submission[]> {
    const issuedAt = new Date().toISOString();
    const prepared = bodies.map((body) => this.prepare(principal, body, issuedAt, options));
    const envelopes = prepared.flatMap((item) => (item.kind === 'envelope' ? [item.envelope] : []));

    let settled = new Map<string, CommandOutcome>();
    if (options.wait && envelopes.length > 0) {
      settled = await this.sendAndWait(envelopes, options.timeoutMs);
    } else {
      await this.bus.send(envelopes);
    }
    return prepared.map((item): Submission => {
      if (item.kind !== 'envelope') return item;
      const outcome = settled.get(item.envelope.commandId);
      return {
        kind: 'answer',
        answer: outcome ? answerOf(outcome) : { commandId: item.envelope.commandId, status: 'pending' },
      };
    });
  }

  async outcomeOf(commandId: string): Promise<CommandAnswer> {
    const outcome = (await this.outcomes.find([commandId])).get(commandId);
    return outcome ? answerOf(outcome) : { commandId, status: 'pending' };
  }

  private prepare(
    principal: Principal,
    body: unknown,
    issuedAt: string,
    options: SubmitOptions,
  ): { kind: 'envelope'; envelope: CommandEnvelope } | Exclude<Submission, { kind: 'answer' }> {
    const checked = checkCommandBody(body);
    if (!checked.ok) return { kind: 'invalid', problems: checked.problems };
    const command: CommandBody = checked.value;
    if (command.commandId && options.idempotencyKey && command.commandId !== options.idempotencyKey) {
      return {
        kind: 'invalid',
        problems: [{ path: 'commandId', message: 'commandId and the Idempotency-Key header differ' }],
      };
    }
    if (!maySend(principal, command.type, command.hostId)) {
      return {
        kind: 'forbidden',
        reason: `role ${principal.role} may not send ${command.type} for ${command.hostId}`,
      };
    }
    const commandId = command.commandId ?? options.idempotencyKey ?? randomUUID();
    const envelope = {
      commandId,
      hostId: command.hostId,
      type: command.type,
      payload: command.payload,
      actor: principal.subject,
      issuedAt,
      ...(command.expectedVersion !== undefined ? { expectedVersion: command.expectedVersion } : {}),
      correlationId: options.correlationId ?? commandId,
    } as CommandEnvelope;
    return { kind: 'envelope', envelope };
  }

  /**
   * Read-your-writes: listen before sending, so the projector's notification cannot slip between
   * the send and the wait; answer a repeated command id from the table without sending it again.
   */
  private async sendAndWait(
    envelopes: readonly CommandEnvelope[],
    timeoutMs: number,
  ): Promise<Map<string, CommandOutcome>> {
    const deadline = Date.now() + timeoutMs;
    await this.listener.ready();
    const ids = envelopes.map((envelope) => envelope.commandId);
    let wake: () => void = () => undefined;
    const unsubscribe = this.listener.subscribe(ids, () => wake());
    try {
      const settled = await this.outcomes.find(ids);
      await this.bus.send(envelopes.filter((envelope) => !settled.has(envelope.commandId)));
      for (;;) {
        const missing = ids.filter((id) => !settled.has(id));
        if (missing.length === 0) return settled;
        const remaining = deadline - Date.now();
        if (remaining <= 0) return settled;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(remaining, RECHECK_MS));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        for (const [id, outcome] of await this.outcomes.find(missing)) settled.set(id, outcome);
      }
    } finally {
      unsubscribe();
    }
  }
}
