import type { CommandEnvelope, HostEvent, HostView } from '@klp/contracts';
import { decide } from '../host/decide';
import { evolve } from '../host/evolve';
import { initialState, type HostState } from '../host/host.state';
import { view } from '../host/host.view';
import type { RuleProfile } from '../host/rules/rule-profile';
import { stackingProfile } from '../host/rules/stacking.profile';
import type { ScenarioCommand, ScenarioTarget, SendResult } from './target';

export interface InProcessOptions {
  readonly profile?: RuleProfile;
  readonly actor?: string;
  /** The `issuedAt` of each command; the domain has no clock of its own. */
  readonly clock?: () => string;
}

export interface InProcessTarget extends ScenarioTarget {
  /** The live state of a host, if any command reached it. */
  state(hostId: string): HostState | undefined;
  /** Every event of a host so far, oldest first. */
  events(hostId: string): readonly HostEvent[];
}

/** A tiny event store of host states, deciding with `decide` and folding with `evolve`. */
export function inProcessTarget(options: InProcessOptions = {}): InProcessTarget {
  const states = new Map<string, HostState>();
  const logs = new Map<string, HostEvent[]>();
  const profile = options.profile ?? stackingProfile;
  const actor = options.actor ?? 'scenario-runner';
  const clock = options.clock ?? (() => '1970-01-01T00:00:00.000Z');

  function sendNow(command: ScenarioCommand): SendResult {
    const envelope = { ...command, actor, issuedAt: clock() } as unknown as CommandEnvelope;
    const before = states.get(command.hostId) ?? initialState(command.hostId);
    const decision = decide(envelope, before, profile);
    if (decision.outcome === 'duplicate') {
      return decision.first.status === 'accepted' ? 'ok' : decision.first.errno;
    }
    let after = before;
    for (const event of decision.events) after = evolve(after, event);
    states.set(command.hostId, after);
    const log = logs.get(command.hostId) ?? [];
    log.push(...decision.events);
    logs.set(command.hostId, log);
    return decision.outcome === 'accepted' ? 'ok' : decision.errno;
  }

  return {
    send: (command) => Promise.resolve(sendNow(command)),
    view: (hostId): Promise<HostView | null> => {
      const state = states.get(hostId);
      return Promise.resolve(state ? view(state) : null);
    },
    state: (hostId) => states.get(hostId),
    events: (hostId) => logs.get(hostId) ?? [],
  };
}
