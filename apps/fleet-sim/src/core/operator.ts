import type { DerivedState, RegisterPatchPayload } from '@klp/contracts';
import type { SimCommand } from './agent';
import { createPrng, type Prng } from './prng';

/** What the operator read of the fleet: each patch's state per host, and the long transitions. */
export interface FleetSnapshot {
  /** patch name → host id → the patch's derived state there (absent: not registered). */
  states: ReadonlyMap<string, ReadonlyMap<string, DerivedState>>;
  /** Hosts with any transition running. */
  busy: ReadonlySet<string>;
  /** Transitions running longer than the stall limit. */
  stalled: ReadonlyArray<{ hostId: string; patch: string; target: string }>;
}

export interface OperatorPlan {
  patches: readonly RegisterPatchPayload[];
  /** Seconds between two waves of one rollout. */
  waveSeconds: number;
}

/** Shares of the fleet enabled by the successive waves of one rollout. */
export const WAVES = [0.1, 0.3, 0.6, 1] as const;
/** Waves per patch: register, the rollout waves, one wave of rest. */
const SLOTS = WAVES.length + 1;
/** A host the operator touched is left alone this long: its answer may not be visible yet. */
const COOLDOWN_MS = 8_000;
/**
 * A stalled transition the operator forced or reversed keeps its start time in the read model, so
 * it is left alone longer: one intervention, then time for the reversed transition to finish.
 */
const INTERVENTION_COOLDOWN_MS = 30_000;

/**
 * The operator script as a pure schedule: at time `t` after its start, which patches should be
 * registered and enabled on which hosts. Patch `i` is registered at slot `i * SLOTS` and enabled in
 * waves; once all are out, the newest one is disabled on a fifth of the fleet and enabled again,
 * over and over, so the dashboard keeps moving. `reconcile` turns desire and snapshot into commands.
 */
export class SimOperator {
  private readonly order: string[];
  private readonly rng: Prng;
  private readonly touched = new Map<string, number>();
  /** Hosts and patches registered by this run: a host that moves between two state pages is not new. */
  private readonly registeredBy = new Set<string>();

  constructor(
    hostIds: readonly string[],
    seed: number,
    private readonly plan: OperatorPlan,
    private readonly startedAt: number,
  ) {
    this.rng = createPrng(`${seed}/operator`);
    this.order = this.rng.shuffle(hostIds);
  }

  private slot(now: number): number {
    return Math.floor((now - this.startedAt) / (this.plan.waveSeconds * 1000));
  }

  registered(patchIndex: number, now: number): boolean {
    return this.slot(now) >= patchIndex * SLOTS;
  }

  /** Whether the schedule wants the patch enabled on the host (by rank in the rollout order). */
  wantsEnabled(patchIndex: number, rank: number, now: number): boolean {
    const slot = this.slot(now) - patchIndex * SLOTS;
    if (slot < 1) return false;
    const share = WAVES[Math.min(slot, WAVES.length) - 1];
    if (rank >= share * this.order.length) return false;
    const last = this.plan.patches.length - 1;
    const churn = this.slot(now) - (last * SLOTS + SLOTS + 1);
    // Churn: every other period of three waves, the newest patch is off on a fifth of the fleet.
    if (patchIndex === last && churn >= 0 && Math.floor(churn / 3) % 2 === 0) {
      const cycle = Math.floor(churn / 6);
      const from = ((cycle * 0.2) % 1) * this.order.length;
      if (rank >= from && rank < from + 0.2 * this.order.length) return false;
    }
    return true;
  }

  /** The commands that move the fleet toward the schedule: one per host at most. */
  reconcile(snapshot: FleetSnapshot, now: number, limit = 2000): SimCommand[] {
    const commands: SimCommand[] = [];
    const free = (hostId: string) => (this.touched.get(hostId) ?? -Infinity) + COOLDOWN_MS <= now;
    const emit = (command: SimCommand, cooldown = COOLDOWN_MS) => {
      this.touched.set(command.hostId, now + cooldown - COOLDOWN_MS);
      commands.push(command);
    };
    for (const stalled of snapshot.stalled) {
      if (commands.length >= limit || !free(stalled.hostId)) continue;
      // An operator either forces a stuck transition (the patch's module then stays until reboot)
      // or writes the opposite value to `enabled`, which reverses it (transition.c).
      const patch = stalled.patch;
      const reverse = stalled.target === 'patched' ? 'DisablePatch' : 'EnablePatch';
      const type = this.rng.chance(0.5) ? 'ForceTransition' : reverse;
      emit({ hostId: stalled.hostId, type, payload: { patch } }, INTERVENTION_COOLDOWN_MS);
    }
    this.order.forEach((hostId, rank) => {
      if (commands.length >= limit || snapshot.busy.has(hostId) || !free(hostId)) return;
      const command = this.nextFor(hostId, rank, snapshot, now);
      if (command) emit(command);
    });
    return commands;
  }

  private nextFor(hostId: string, rank: number, snapshot: FleetSnapshot, now: number): SimCommand | null {
    const patches = this.plan.patches;
    const stateOf = (index: number) => snapshot.states.get(patches[index]?.name ?? '')?.get(hostId);
    const on = (state: DerivedState | undefined) => state === 'enabled' || state === 'patched';
    for (let index = 0; index < patches.length; index++) {
      if (!this.registered(index, now)) break;
      const state = stateOf(index);
      const patch = patches[index].name;
      if (state === undefined) {
        if (this.registeredBy.has(`${hostId}/${patch}`)) return null;
        this.registeredBy.add(`${hostId}/${patch}`);
        return { hostId, type: 'RegisterPatch', payload: patches[index] };
      }
      const want = this.wantsEnabled(index, rank, now);
      // Stacking (core.c: klp_enable_patch / __klp_disable_patch): enable only on top of an
      // enabled patch, disable only the topmost enabled one.
      const below = index === 0 || on(stateOf(index - 1));
      const above = index + 1 < patches.length && on(stateOf(index + 1));
      if (want && state === 'disabled' && below) return { hostId, type: 'EnablePatch', payload: { patch } };
      if (!want && on(state) && !above) return { hostId, type: 'DisablePatch', payload: { patch } };
    }
    return null;
  }
}
