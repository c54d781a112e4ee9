import {
  GENESIS_HASH,
  sealAuditRecord,
  type AuditRecord,
  type CommandEnvelope,
  type HostEvent,
} from '@klp/contracts';
import { auditChanges, decide, evolve, initialState, view, type HostState } from '@klp/domain';
import fc from 'fast-check';

/**
 * Fleet histories made by the real domain: random commands, chosen mostly among those the state
 * allows (so that patches get registered, enabled, completed, reversed…) with a share of refusals,
 * stale versions and repeated ids, decided with `decide` and folded with `evolve`. Audit records are
 * what the decider writes: the attribute changes between the views, hash-chained per host.
 */
export interface FleetHistory {
  /** Every event in decision order (the order a single decider would append them). */
  readonly events: readonly HostEvent[];
  readonly audit: readonly AuditRecord[];
  readonly states: ReadonlyMap<string, HostState>;
  readonly commands: number;
}

export interface FleetShape {
  readonly hosts: number;
  readonly commands: number;
  /** Prefix of host ids (and command ids), so that histories of several runs never collide. */
  readonly prefix?: string;
}

/** One random choice per command: host, kind, and two numbers the kind reads as it likes. */
type Choice = readonly [number, number, number, number];

const MODULES = ['nfsd', 'ext4', 'kvm', 'xfs', '42'];
const FUNCS = ['cmdline_proc_show', 'meminfo_proc_show', 'foo.isra.0', 'vfs_read'];
const BASE_TIME = Date.parse('2026-11-27T10:00:00.000Z');

function pick<T>(items: readonly T[], n: number): T {
  return items[n % items.length];
}

function patchArg(state: HostState, n: number): string {
  if (n % 10 === 0 || state.stack.length === 0) return `p${n % 7}`;
  if (state.transition && n % 2 === 0) return state.transition.patch;
  return pick(state.stack, n).name;
}

/** Mostly the patch the stacking rule lets move next, sometimes any (a refusal). */
function nextToEnable(state: HostState, n: number): string {
  const candidate = state.stack.find((patch) => !patch.enabled);
  return candidate && n % 4 !== 0 ? candidate.name : patchArg(state, n);
}

function nextToDisable(state: HostState, n: number): string {
  const candidate = [...state.stack].reverse().find((patch) => patch.enabled);
  return candidate && n % 4 !== 0 ? candidate.name : patchArg(state, n);
}

function transitionPatch(state: HostState, n: number): string {
  return state.transition && n % 5 !== 0 ? state.transition.patch : patchArg(state, n);
}

function register(a: number, b: number, counter: number): { type: string; payload: unknown } {
  const objects = ['vmlinux', ...MODULES]
    .filter((_, i) => i === a % 3 || (b >> i) & 1)
    .map((name, i) => ({
      name,
      funcs: FUNCS.filter((_, j) => ((a + i) >> j) & 1).map((func, j) => ({
        name: func,
        ...(j % 2 ? { sympos: j } : {}),
      })),
    }));
  // Now and then a name already taken (EEXIST) or a refused shape (EINVAL).
  const name = counter % 11 === 0 ? `p${a % 3}` : `p${counter}`;
  return { type: 'RegisterPatch', payload: { name: counter % 13 === 0 ? 'bad name!' : name, objects } };
}

function command(
  state: HostState,
  [, kind, a, b]: Choice,
  counter: number,
): { type: string; payload: unknown } {
  const boot = (release: number) => ({
    type: 'HostBooted',
    payload: { kernelRelease: `4.19.0-${release}-amd64`, modules: MODULES.filter((_, i) => (b >> i) & 1) },
  });
  if (state.version === 0) return kind % 7 === 0 ? register(a, b, counter) : boot(27);
  switch (kind % 20) {
    case 0:
      return a % 3 === 0 ? boot(a % 30) : register(a, b, counter);
    case 1:
    case 2:
    case 3:
      return register(a, b, counter);
    case 4:
    case 5:
    case 6:
      return { type: 'EnablePatch', payload: { patch: nextToEnable(state, a) } };
    case 7:
    case 8:
      return { type: 'DisablePatch', payload: { patch: nextToDisable(state, a) } };
    case 9:
      return { type: 'UnregisterPatch', payload: { patch: patchArg(state, a) } };
    case 10:
      return { type: 'ForceTransition', payload: { patch: transitionPatch(state, a) } };
    case 11:
    case 12:
      return { type: 'PatchComplete', payload: { patch: transitionPatch(state, a) } };
    case 13:
      return { type: 'UnpatchComplete', payload: { patch: transitionPatch(state, a) } };
    case 14:
      return { type: 'EnableFailed', payload: { patch: transitionPatch(state, a), errno: 'ENODEV' } };
    case 15:
    case 16: {
      const blockingTasks =
        b % 3 === 0
          ? undefined
          : [{ pid: 100 + (b % 50), comm: 'kworker/0:1', ...(b % 2 ? { function: 'vfs_read' } : {}) }];
      return {
        type: 'TransitionProgress',
        payload: { patch: transitionPatch(state, a), pendingTasks: b % 9, blockingTasks },
      };
    }
    case 17:
      return { type: 'ModuleComing', payload: { module: pick(MODULES, a) } };
    case 18:
      return { type: 'ModuleGoing', payload: { module: pick(MODULES, a) } };
    default:
      // Reversal: the opposite value written to the transition patch.
      return state.transition?.target === 'patched'
        ? { type: 'DisablePatch', payload: { patch: transitionPatch(state, a) } }
        : { type: 'EnablePatch', payload: { patch: transitionPatch(state, a) } };
  }
}

export function fleetFromChoices(choices: readonly Choice[], shape: FleetShape): FleetHistory {
  const prefix = shape.prefix ?? '';
  const states = new Map<string, HostState>();
  const chains = new Map<string, { seq: number; hash: string }>();
  const lastIds = new Map<string, string>();
  const events: HostEvent[] = [];
  const audit: AuditRecord[] = [];
  choices.forEach((choice, i) => {
    const hostId = `${prefix}h${choice[0] % shape.hosts}`;
    const state = states.get(hostId) ?? initialState(hostId);
    const body = command(state, choice, i);
    // A share of envelope refusals and repeats: ESTALE, and the host's previous command id again.
    const stale = choice[3] % 23 === 0 ? { expectedVersion: state.version + 1 } : {};
    const repeated = choice[3] % 29 === 0 ? lastIds.get(hostId) : undefined;
    const commandId = repeated ?? `${prefix}c${i}`;
    lastIds.set(hostId, commandId);
    const envelope = {
      ...body,
      ...stale,
      hostId,
      commandId,
      actor: choice[3] % 2 ? 'ops@test' : 'agent@test',
      issuedAt: new Date(BASE_TIME + i * 1000).toISOString(),
    } as unknown as CommandEnvelope;
    const decision = decide(envelope, state);
    if (decision.outcome === 'duplicate') return;
    let next = state;
    for (const event of decision.events) next = evolve(next, event);
    states.set(hostId, next);
    events.push(...decision.events);
    if (decision.outcome !== 'accepted') return;
    const chain = chains.get(hostId) ?? { seq: 0, hash: GENESIS_HASH };
    auditChanges(view(state), view(next)).forEach((change, index) => {
      const record = sealAuditRecord({
        schemaVersion: 1,
        hostId,
        seq: chain.seq + 1,
        version: next.version,
        index,
        at: envelope.issuedAt,
        actor: envelope.actor,
        commandId,
        commandType: body.type,
        prevHash: chain.hash,
        ...change,
      });
      chain.seq = record.seq;
      chain.hash = record.hash;
      audit.push(record);
    });
    chains.set(hostId, chain);
  });
  return { events, audit, states, commands: choices.length };
}

const choice = fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat());

export function fleetArbitrary(shape: FleetShape): fc.Arbitrary<FleetHistory> {
  return fc
    .array(choice, { minLength: shape.commands, maxLength: shape.commands })
    .map((choices) => fleetFromChoices(choices, shape));
}

/** One seeded history: the same seed gives the same fleet on every machine. */
export function sampleFleet(seed: number, shape: FleetShape): FleetHistory {
  return fc.sample(fleetArbitrary(shape), { seed, numRuns: 1 })[0];
}
