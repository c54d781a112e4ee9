import type { HostEvent } from '@klp/contracts';
import { evolve, funcKey, initialState, type HostState } from '@klp/domain';
import type { Parsed } from './record-parsing';

/**
 * What the projector remembers of one host: the domain's state (folded with the domain's own
 * `evolve`, so the rows can only ever show what `view` shows) and the three instants the view does
 * not carry but the `hosts` row does.
 */
export interface ProjectedHost {
  readonly state: HostState;
  /** The Kafka partition of the host's events: a host lives in one (all topics are keyed by host). */
  readonly partition: number;
  /** `occurredAt` of the host's first accepted event. */
  readonly createdAt: string | null;
  /** `occurredAt` of its latest accepted event. */
  readonly updatedAt: string | null;
  /**
   * When the running transition started: kept when it is reversed or reported on, because the
   * kernel's transition goes on (klp_reverse_transition flips its target, the tasks still have to
   * switch), and "transitions running longer than X" asks how long the host has been in one.
   */
  readonly transitionSince: string | null;
}

export function unknownHost(hostId: string, partition: number): ProjectedHost {
  return { state: initialState(hostId), partition, createdAt: null, updatedAt: null, transitionSince: null };
}

/** Millisecond ISO text: the form a timestamptz read back through `Date` has, so rows diff stably. */
export function instant(occurredAt: string): string {
  return new Date(occurredAt).toISOString();
}

/**
 * Checks that an event can follow the host's state (the version chain, and a registration the
 * rows' keys can hold) and folds it. A refusal becomes a dead letter: the decider never writes such
 * an event, so one means a broken producer, and the read model must not guess.
 */
export function projectEvent(host: ProjectedHost, event: HostEvent): Parsed<ProjectedHost> {
  const { state } = host;
  if (event.type !== 'CommandRejected' && event.version !== state.version + 1) {
    return {
      ok: false,
      error: `version ${event.version} does not follow the host's version ${state.version}`,
    };
  }
  if (event.type === 'PatchRegistered') {
    const problem = registrationProblem(state, event.payload);
    if (problem) return { ok: false, error: problem };
  }
  let next: HostState;
  try {
    next = evolve(state, event);
  } catch (error) {
    return { ok: false, error: `evolve failed: ${(error as Error).message}` };
  }
  if (event.type === 'CommandRejected') return { ok: true, value: { ...host, state: next } };
  const at = instant(event.occurredAt);
  const started =
    next.transition !== null &&
    (state.transition === null || state.transition.patch !== next.transition.patch);
  return {
    ok: true,
    value: {
      state: next,
      partition: host.partition,
      createdAt: host.createdAt ?? at,
      updatedAt: at,
      transitionSince: next.transition === null ? null : started ? at : host.transitionSince,
    },
  };
}

function registrationProblem(
  state: HostState,
  payload: Extract<HostEvent, { type: 'PatchRegistered' }>['payload'],
): string | null {
  if (state.stack.some((patch) => patch.name === payload.patch))
    return `patch ${payload.patch} is already registered`;
  const objects = new Set<string>();
  for (const object of payload.objects) {
    if (objects.has(object.name)) return `object ${object.name} is listed twice`;
    objects.add(object.name);
    const keys = new Set(object.funcs.map((func) => funcKey(func.name, func.sympos)));
    if (keys.size !== object.funcs.length) return `a function of ${object.name} is listed twice`;
  }
  return null;
}
