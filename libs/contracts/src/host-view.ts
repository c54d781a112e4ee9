import type { BlockingTask } from './commands';
import type { TransitionTarget } from './events';

/** The per-level enum of DOMAIN.md, computed from the flags and never stored apart. */
export type DerivedState = 'disabled' | 'enabled' | 'transition' | 'patched';

export interface FuncView {
  readonly patched: boolean;
  readonly transition: boolean;
  readonly state: DerivedState;
}

export interface ObjectView {
  readonly loaded: boolean;
  readonly patched: boolean;
  readonly state: DerivedState;
  /** Keyed `<name>,<sympos>` like the sysfs directory. */
  readonly funcs: Readonly<Record<string, FuncView>>;
}

export interface PatchView {
  readonly enabled: boolean;
  readonly forced: boolean;
  readonly state: DerivedState;
  readonly objects: Readonly<Record<string, ObjectView>>;
}

export interface TransitionView {
  readonly patch: string;
  readonly target: TransitionTarget;
  /** `null` until the first progress report. */
  readonly pendingTasks: number | null;
  readonly blockingTasks: readonly BlockingTask[];
}

/** The public shape of one host (DOMAIN.md "The host view"), served by the API and matched by scenarios. */
export interface HostView {
  readonly hostId: string;
  readonly version: number;
  readonly kernelRelease: string | null;
  /** Sorted. */
  readonly loadedModules: readonly string[];
  readonly transition: TransitionView | null;
  /** Registration order (the kernel's `klp_patches`). */
  readonly stack: readonly string[];
  readonly patches: Readonly<Record<string, PatchView>>;
  /** `<object>/<name>,<sympos>` → patch names, newest (running) first; only non-empty stacks. */
  readonly funcStacks: Readonly<Record<string, readonly string[]>>;
}
