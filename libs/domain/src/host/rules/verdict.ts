import type { AcceptedEvent, Errno, EventPayloads } from '@klp/contracts';

/** The type and payload of an accepted event, before `decide` wraps it in its envelope. */
export type EventBody = {
  [E in AcceptedEvent as E['type']]: { type: E['type']; payload: E['payload'] };
}[AcceptedEvent['type']];

export interface Refusal {
  readonly ok: false;
  readonly errno: Errno;
  readonly reason: string;
}

export interface Acceptance {
  readonly ok: true;
  readonly event: EventBody;
}

export type Verdict = Acceptance | Refusal;

export type Parsed<T> = { readonly ok: true; readonly value: T } | Refusal;

export function refuse(errno: Errno, reason: string): Refusal {
  return { ok: false, errno, reason };
}

export function accept<T extends EventBody['type']>(type: T, payload: EventPayloads[T]): Acceptance {
  return { ok: true, event: { type, payload } as EventBody };
}

export function parsed<T>(value: T): Parsed<T> {
  return { ok: true, value };
}
