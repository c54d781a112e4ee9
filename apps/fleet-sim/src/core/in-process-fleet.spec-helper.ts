import type { CommandEnvelope, DerivedState } from '@klp/contracts';
import { decide, evolve, initialState, view, type HostState } from '@klp/domain';
import { SimAgent, type AgentBehaviour, type SimCommand, type Settlement } from './agent';
import { DEMO_PATCHES, simulatedFleet } from './fleet';
import { SimOperator, type FleetSnapshot } from './operator';

export interface FleetRun {
  agentRejections: Map<string, number>;
  operatorRejections: Map<string, number>;
  accepted: Map<string, number>;
  interventions: number;
  states: Map<string, HostState>;
}

const OPERATOR_TYPES = new Set([
  'RegisterPatch',
  'EnablePatch',
  'DisablePatch',
  'UnregisterPatch',
  'ForceTransition',
]);

/**
 * The simulator's agents and operator against the real `decide`/`evolve`, in process, on a fake
 * clock. Agents read a read model one poll behind (as over REST), so stale views are exercised.
 */
export function runInProcess(options: {
  hosts: number;
  seed: number;
  behaviour: AgentBehaviour;
  seconds: number;
  waveSeconds?: number;
  stallLimitSeconds?: number;
}): FleetRun {
  const run: FleetRun = {
    agentRejections: new Map(),
    operatorRejections: new Map(),
    accepted: new Map(),
    interventions: 0,
    states: new Map(),
  };
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  let sequence = 0;
  let now = 0;
  const since = new Map<string, { key: string; at: number }>();

  const apply = (command: SimCommand): Settlement => {
    const before = run.states.get(command.hostId) ?? initialState(command.hostId);
    const envelope = {
      ...command,
      commandId: `c${sequence++}`,
      actor: 'test',
      issuedAt: new Date(now).toISOString(),
    } as unknown as CommandEnvelope;
    const decision = decide(envelope, before);
    if (decision.outcome === 'duplicate') throw new Error('no command is sent twice here');
    let after = before;
    for (const event of decision.events) after = evolve(after, event);
    run.states.set(command.hostId, after);
    const t = view(after)?.transition;
    const key = t ? `${t.patch}/${t.target}` : '';
    if (since.get(command.hostId)?.key !== key) since.set(command.hostId, { key, at: now });
    if (decision.outcome === 'rejected') {
      bump(
        OPERATOR_TYPES.has(command.type) ? run.operatorRejections : run.agentRejections,
        `${command.type}:${decision.errno}`,
      );
      return { status: 'rejected', errno: decision.errno, version: after.version };
    }
    bump(run.accepted, command.type);
    return { status: 'accepted', version: after.version };
  };

  const fleet = simulatedFleet(options.hosts, options.seed);
  const agents = fleet.map((spec) => new SimAgent(spec, options.seed, options.behaviour, 0));
  const operator = new SimOperator(
    fleet.map((host) => host.hostId),
    options.seed,
    { patches: DEMO_PATCHES, waveSeconds: options.waveSeconds ?? 10 },
    5_000,
  );
  const stallLimit = (options.stallLimitSeconds ?? 30) * 1000;
  let readModel = new Map<string, HostState>();

  for (; now < options.seconds * 1000; now += 250) {
    if (now % 2000 === 0) {
      for (const agent of agents) {
        const state = readModel.get(agent.hostId);
        const t = state ? view(state)?.transition : null;
        agent.observe(t && state ? { ...t, version: state.version } : null, now);
      }
      readModel = new Map(run.states);
    }
    if (now >= 5_000 && now % 1000 === 0) {
      for (const command of operator.reconcile(snapshot(run.states, since, now - stallLimit), now)) {
        if (command.type === 'ForceTransition' || run.states.get(command.hostId)?.transition)
          run.interventions++;
        apply(command);
      }
    }
    for (const agent of agents) {
      for (const command of agent.tick(now)) agent.settle(command, apply(command));
    }
  }
  return run;
}

function snapshot(
  states: Map<string, HostState>,
  since: Map<string, { key: string; at: number }>,
  stalledBefore: number,
): FleetSnapshot {
  const byPatch = new Map<string, Map<string, DerivedState>>();
  const busy = new Set<string>();
  const stalled: Array<{ hostId: string; patch: string; target: string }> = [];
  for (const [hostId, state] of states) {
    const hostView = view(state);
    if (!hostView) continue;
    for (const [patch, patchView] of Object.entries(hostView.patches)) {
      if (!byPatch.has(patch)) byPatch.set(patch, new Map());
      byPatch.get(patch)?.set(hostId, patchView.state);
    }
    if (hostView.transition) {
      busy.add(hostId);
      if ((since.get(hostId)?.at ?? Infinity) <= stalledBefore)
        stalled.push({ hostId, ...hostView.transition });
    }
  }
  return { states: byPatch, busy, stalled };
}
