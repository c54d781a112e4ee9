import { EVENT_SCHEMA_VERSION, type AcceptedEvent, type CommandRejected, type Errno } from '@klp/contracts';
import type { EventBody } from './rules/verdict';

export type { AcceptedEvent, CommandRejected, HostEvent } from '@klp/contracts';

/** What every event copies from the command that caused it (ARCHITECTURE.md: time, ids and actor). */
export interface Causation {
  readonly hostId: string;
  readonly commandId: string;
  readonly correlationId: string;
  readonly actor: string;
  readonly occurredAt: string;
}

export function acceptedEvent(cause: Causation, version: number, body: EventBody): AcceptedEvent {
  return {
    schemaVersion: EVENT_SCHEMA_VERSION,
    type: body.type,
    hostId: cause.hostId,
    version,
    payload: body.payload,
    commandId: cause.commandId,
    correlationId: cause.correlationId,
    actor: cause.actor,
    occurredAt: cause.occurredAt,
  } as AcceptedEvent;
}

export function rejectedEvent(
  cause: Causation,
  version: number,
  commandType: string,
  errno: Errno,
  reason: string,
): CommandRejected {
  return {
    schemaVersion: EVENT_SCHEMA_VERSION,
    type: 'CommandRejected',
    hostId: cause.hostId,
    version,
    payload: { commandType, errno, reason },
    commandId: cause.commandId,
    correlationId: cause.correlationId,
    actor: cause.actor,
    occurredAt: cause.occurredAt,
  };
}
