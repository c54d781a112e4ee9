import type { Errno, HostEvent } from '@klp/contracts';
import { decide } from '../host/decide';
import type { Decision } from '../host/decision';
import { evolve } from '../host/evolve';
import { initialState, type HostState } from '../host/host.state';
import { view } from '../host/host.view';
import type { RuleProfile } from '../host/rules/rule-profile';
import { partialMatch } from '../scenarios/match';
import { envelope, type TestCommand } from './commands';

/**
 * Given/When/Then for the decider (emmett's DeciderSpecification, in Jest):
 *   given([boot(), register('p1')]).when(enable('p1')).then([{ type: 'PatchEnabled', payload: ... }])
 *   given([...]).when(enable('p2')).thenRejects('EBUSY')
 *   given([..., withId(enable('p1'), 'c-1')]).when(withId(enable('p1'), 'c-1')).thenNothingHappens()
 * History entries are commands (decided and folded, whatever their outcome) or events (folded).
 */
export type History = readonly (TestCommand | HostEvent)[];

export interface ExpectedEvent {
  readonly type: HostEvent['type'];
  readonly payload: unknown;
}

export interface When {
  readonly before: HostState;
  readonly decision: Decision;
  /** The state after folding the decision's events. */
  readonly after: HostState;
  then(expected: readonly ExpectedEvent[]): When;
  thenRejects(errno: Errno, reason?: RegExp): When;
  thenNothingHappens(): When;
  /** The host view afterwards matches `expected` partially (DOMAIN.md scenario rules). */
  andView(expected: unknown): When;
}

export interface Given {
  readonly state: HostState;
  when(command: TestCommand): When;
}

function isEvent(entry: TestCommand | HostEvent): entry is HostEvent {
  return 'schemaVersion' in entry;
}

function apply(state: HostState, decision: Decision): HostState {
  return decision.outcome === 'duplicate' ? state : decision.events.reduce(evolve, state);
}

export function given(
  history: History = [],
  options: { hostId?: string; profile?: RuleProfile } = {},
): Given {
  const hostId = options.hostId ?? 'h1';
  let state = initialState(hostId);
  history.forEach((entry, index) => {
    state = isEvent(entry)
      ? evolve(state, entry)
      : apply(
          state,
          decide(envelope(entry, entry.commandId ?? `given-${index + 1}`, hostId), state, options.profile),
        );
  });
  const before = state;
  return {
    state: before,
    when(command) {
      const commandId = command.commandId ?? 'when-1';
      const sent = envelope(command, commandId, command.hostId ?? hostId);
      const decision = decide(sent, before, options.profile);
      const after = apply(before, decision);
      const outcome: When = {
        before,
        decision,
        after,
        then(expected) {
          expect(decision).toMatchObject({ outcome: 'accepted' });
          const events = decision.outcome === 'accepted' ? decision.events : [];
          expect(events.map((event) => ({ type: event.type, payload: event.payload }))).toEqual(expected);
          for (const event of events) {
            expect(event).toMatchObject({
              schemaVersion: 1,
              hostId,
              version: before.version + 1,
              commandId,
              correlationId: command.correlationId ?? commandId,
              actor: sent.actor,
              occurredAt: sent.issuedAt,
            });
          }
          return outcome;
        },
        thenRejects(errno, reason) {
          expect(decision).toMatchObject({ outcome: 'rejected', errno });
          if (decision.outcome !== 'rejected') return outcome;
          if (reason) expect(decision.reason).toMatch(reason);
          expect(decision.events).toEqual([
            expect.objectContaining({
              type: 'CommandRejected',
              version: before.version,
              commandId,
              payload: { commandType: command.type, errno, reason: decision.reason },
            }),
          ]);
          // A refusal changes nothing but the idempotency memory.
          expect(view(after)).toEqual(view(before));
          expect(after.version).toBe(before.version);
          return outcome;
        },
        thenNothingHappens() {
          expect(decision.outcome).toBe('duplicate');
          expect(after).toBe(before);
          return outcome;
        },
        andView(expected) {
          expect(partialMatch(expected, view(after))).toEqual([]);
          return outcome;
        },
      };
      return outcome;
    },
  };
}
