import { type CommandEnvelope, type CommandOutcome, type Errno } from '@klp/contracts';
import { recall, type CommandMemo } from './command-memory';
import type { Decision } from './decision';
import { acceptedEvent, rejectedEvent, type Causation } from './host.events';
import type { HostState } from './host.state';
import { show } from './rules/payloads';
import type { RuleProfile } from './rules/rule-profile';
import { stackingProfile } from './rules/stacking.profile';

type Fields = Readonly<Record<string, unknown>>;

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function causation(command: Fields, state: HostState): Causation {
  const commandId = text(command.commandId);
  const correlationId = text(command.correlationId);
  return {
    hostId: state.hostId,
    commandId,
    correlationId: correlationId === '' ? commandId : correlationId,
    actor: text(command.actor),
    occurredAt: text(command.issuedAt),
  };
}

function outcomeOf(memo: CommandMemo, hostId: string): CommandOutcome {
  return memo.length === 2
    ? { commandId: memo[0], hostId, status: 'accepted', version: memo[1] }
    : { commandId: memo[0], hostId, status: 'rejected', errno: memo[2], reason: memo[3], version: memo[1] };
}

function rejected(
  cause: Causation,
  state: HostState,
  commandType: string,
  errno: Errno,
  reason: string,
): Decision {
  return {
    outcome: 'rejected',
    errno,
    reason,
    events: [rejectedEvent(cause, state.version, commandType, errno, reason)],
  };
}

/**
 * Decides one command against its host. Never throws: the command is untrusted JSON, typed only in
 * what it should be. Envelope checks come first (DOMAIN.md): a repeated commandId returns the first
 * outcome, then `expectedVersion` (ESTALE); then the command's own checks, from the host's profile.
 */
export function decide(
  command: CommandEnvelope,
  state: HostState,
  profile: RuleProfile = stackingProfile,
): Decision {
  const fields: Fields =
    typeof command === 'object' && command !== null ? (command as unknown as Fields) : {};
  const cause = causation(fields, state);
  const commandType = text(fields.type);
  if (cause.commandId === '') {
    return rejected(cause, state, commandType, 'EINVAL', 'commandId must be a non-empty string');
  }
  const memo = recall(state.commands, cause.commandId);
  if (memo) return { outcome: 'duplicate', first: outcomeOf(memo, state.hostId) };
  if (fields.hostId !== state.hostId) {
    return rejected(
      cause,
      state,
      commandType,
      'EINVAL',
      `command for host ${show(fields.hostId)} sent to host ${state.hostId}`,
    );
  }
  const { expectedVersion } = fields;
  if (expectedVersion !== undefined && expectedVersion !== null) {
    if (
      typeof expectedVersion !== 'number' ||
      !Number.isSafeInteger(expectedVersion) ||
      expectedVersion < 0
    ) {
      return rejected(cause, state, commandType, 'EINVAL', 'expectedVersion must be an integer >= 0');
    }
    if (expectedVersion !== state.version) {
      return rejected(
        cause,
        state,
        commandType,
        'ESTALE',
        `expected version ${expectedVersion}, host is at ${state.version}`,
      );
    }
  }
  const rule = Object.hasOwn(profile.rules, commandType)
    ? profile.rules[commandType as keyof RuleProfile['rules']]
    : undefined;
  if (!rule)
    return rejected(cause, state, commandType, 'EINVAL', `unknown command type ${show(fields.type)}`);
  const verdict = rule(fields.payload, state);
  if (!verdict.ok) return rejected(cause, state, commandType, verdict.errno, verdict.reason);
  return { outcome: 'accepted', events: [acceptedEvent(cause, state.version + 1, verdict.event)] };
}
