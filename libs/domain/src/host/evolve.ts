import type { HostEvent } from '@klp/contracts';
import { remember, type CommandMemo } from './command-memory';
import { funcKey, initialState, type HostState, type PatchState } from './host.state';
import { compareNames } from './rules/payloads';

function withPatch(
  state: HostState,
  name: string,
  change: (patch: PatchState) => PatchState,
): HostState['stack'] {
  return state.stack.map((patch) => (patch.name === name ? change(patch) : patch));
}

function insertSorted(names: readonly string[], name: string): string[] {
  const at = names.findIndex((other) => compareNames(other, name) > 0);
  return at < 0 ? [...names, name] : [...names.slice(0, at), name, ...names.slice(at)];
}

/** Applies the facts of an accepted event; `decide` has checked that they are possible. */
function apply(state: HostState, event: Exclude<HostEvent, { type: 'CommandRejected' }>): HostState {
  switch (event.type) {
    case 'HostBooted':
      return {
        ...state,
        kernelRelease: event.payload.kernelRelease,
        loadedModules: event.payload.modules,
        stack: [],
        transition: null,
      };
    case 'PatchRegistered': {
      const { patch, objects } = event.payload;
      const registered: PatchState = {
        name: patch,
        enabled: false,
        forced: false,
        objects: objects.map((object) => ({
          name: object.name,
          funcs: object.funcs.map((func) => funcKey(func.name, func.sympos)),
        })),
      };
      return { ...state, stack: [...state.stack, registered] };
    }
    case 'PatchEnabled':
      return {
        ...state,
        stack: withPatch(state, event.payload.patch, (patch) => ({ ...patch, enabled: true })),
        transition: {
          patch: event.payload.patch,
          target: 'patched',
          pendingTasks: null,
          blockingTasks: [],
          cancellable: true,
        },
      };
    case 'PatchDisabled':
      return {
        ...state,
        stack: withPatch(state, event.payload.patch, (patch) => ({ ...patch, enabled: false })),
        transition: {
          patch: event.payload.patch,
          target: 'unpatched',
          pendingTasks: null,
          blockingTasks: [],
          cancellable: false,
        },
      };
    case 'TransitionReversed': {
      // klp_reverse_transition(): the target flips with `enabled`; the per-function flags stay.
      const { patch, target } = event.payload;
      return {
        ...state,
        stack: withPatch(state, patch, (p) => ({ ...p, enabled: target === 'patched' })),
        transition: { patch, target, pendingTasks: null, blockingTasks: [], cancellable: false },
      };
    }
    case 'TransitionCompleted':
      return { ...state, transition: null };
    case 'TransitionForced':
      return {
        ...state,
        stack: withPatch(state, event.payload.patch, (patch) => ({ ...patch, forced: true })),
        transition: null,
      };
    case 'PatchEnableFailed':
      return {
        ...state,
        stack: withPatch(state, event.payload.patch, (patch) => ({ ...patch, enabled: false })),
        transition: null,
      };
    case 'TransitionProgressReported': {
      const { transition } = state;
      if (!transition) return state;
      const { pendingTasks, blockingTasks } = event.payload;
      return { ...state, transition: { ...transition, pendingTasks, blockingTasks, cancellable: false } };
    }
    case 'PatchUnregistered':
      return { ...state, stack: state.stack.filter((patch) => patch.name !== event.payload.patch) };
    case 'ModuleLoaded':
      return { ...state, loadedModules: insertSorted(state.loadedModules, event.payload.module) };
    case 'ModuleUnloaded':
      return { ...state, loadedModules: state.loadedModules.filter((name) => name !== event.payload.module) };
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

/**
 * Folds one event into the host. Copy-on-write: only the touched parts are new, the rest is shared
 * with the previous state, which stays valid (the decider can roll a failed batch back to it).
 */
export function evolve(state: HostState, event: HostEvent): HostState {
  if (event.type === 'CommandRejected') {
    if (event.commandId === '') return state;
    const memo: CommandMemo = [event.commandId, event.version, event.payload.errno, event.payload.reason];
    return { ...state, commands: remember(state.commands, memo) };
  }
  const next = apply(state, event);
  return {
    ...next,
    version: event.version,
    commands: remember(state.commands, [event.commandId, event.version]),
  };
}

/** The state of a host from its events, oldest first. */
export function fold(hostId: string, events: Iterable<HostEvent>, from?: HostState): HostState {
  let state = from ?? initialState(hostId);
  for (const event of events) state = evolve(state, event);
  return state;
}
