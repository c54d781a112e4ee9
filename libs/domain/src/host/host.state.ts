import { VMLINUX, type BlockingTask, type TransitionTarget } from '@klp/contracts';
import type { CommandMemory } from './command-memory';

/**
 * What the decider keeps of one host. Plain JSON (it is snapshotted to Kafka and restored with
 * `JSON.parse`) and small: only the decisions are stored. Every per-object and per-function flag of
 * DOMAIN.md follows from them (see `host.view.ts`):
 *   object loaded     ⇔ vmlinux, or its module is in `loadedModules`
 *   object patched    ⇔ loaded ∧ (patch enabled ∨ patch is the transition patch)
 *   function patched  ⇔ its object patched
 *   function in transition ⇔ its patch is the transition patch
 * so the invariants of DOMAIN.md hold by construction and `evolve` touches one patch at most.
 */
export interface ObjectState {
  readonly name: string;
  /** Function keys `<name>,<sympos>` in registration order. */
  readonly funcs: readonly string[];
}

export interface PatchState {
  readonly name: string;
  readonly enabled: boolean;
  readonly forced: boolean;
  readonly objects: readonly ObjectState[];
}

export interface TransitionState {
  readonly patch: string;
  readonly target: TransitionTarget;
  readonly pendingTasks: number | null;
  readonly blockingTasks: readonly BlockingTask[];
  /**
   * True from `EnablePatch` until anything is reported on the transition or it is reversed: the
   * only window in which `EnableFailed` is accepted.
   */
  readonly cancellable: boolean;
}

export interface HostState {
  readonly hostId: string;
  /** Accepted commands so far; 0 means the host does not exist yet. */
  readonly version: number;
  readonly kernelRelease: string | null;
  /** Sorted, never `vmlinux`. */
  readonly loadedModules: readonly string[];
  /** Registered patches in registration order (the kernel's `klp_patches`). */
  readonly stack: readonly PatchState[];
  readonly transition: TransitionState | null;
  /** Outcomes of the recent commands; survives `HostBooted`. */
  readonly commands: CommandMemory;
}

export function initialState(hostId: string): HostState {
  return {
    hostId,
    version: 0,
    kernelRelease: null,
    loadedModules: [],
    stack: [],
    transition: null,
    commands: [],
  };
}

export function hostExists(state: HostState): boolean {
  return state.version > 0;
}

export function indexOfPatch(state: HostState, name: string): number {
  return state.stack.findIndex((patch) => patch.name === name);
}

export function findPatch(state: HostState, name: string): PatchState | undefined {
  return state.stack.find((patch) => patch.name === name);
}

export function isModuleLoaded(state: HostState, module: string): boolean {
  return state.loadedModules.includes(module);
}

export function isObjectLoaded(state: HostState, object: string): boolean {
  return object === VMLINUX || isModuleLoaded(state, object);
}

export function isTransitionPatch(state: HostState, patch: string): boolean {
  return state.transition !== null && state.transition.patch === patch;
}

/** klp_module_coming()/klp_patch_object(): a loaded object of an enabled or transition patch is patched. */
export function isObjectPatched(state: HostState, patch: PatchState, object: ObjectState): boolean {
  return isObjectLoaded(state, object.name) && (patch.enabled || isTransitionPatch(state, patch.name));
}

/** The sysfs name of a function (`klp_init_func`: "%s,%lu", a sympos of 0 written 1). */
export function funcKey(name: string, sympos: number | undefined): string {
  return `${name},${sympos === undefined || sympos === 0 ? 1 : sympos}`;
}
