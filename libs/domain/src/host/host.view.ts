import type { DerivedState, FuncView, HostView, ObjectView, PatchView } from '@klp/contracts';
import {
  hostExists,
  isObjectLoaded,
  isObjectPatched,
  isTransitionPatch,
  type HostState,
  type PatchState,
} from './host.state';
import { compareNames } from './rules/payloads';

// DOMAIN.md "Derived state", level by level.

/**
 * Function and object alike: `transition` if patched and their patch is the transition patch,
 * `patched` if patched, `enabled` if not patched but the patch is enabled (armed: the module is
 * absent), else `disabled`.
 */
function flagState(patched: boolean, inTransition: boolean, enabled: boolean): DerivedState {
  if (patched) return inTransition ? 'transition' : 'patched';
  return enabled ? 'enabled' : 'disabled';
}

function patchState(inTransition: boolean, enabled: boolean, objects: readonly ObjectView[]): DerivedState {
  if (inTransition) return 'transition';
  if (!enabled) return 'disabled';
  return objects.every((object) => object.patched) ? 'patched' : 'enabled';
}

function patchView(state: HostState, patch: PatchState): PatchView {
  const inTransition = isTransitionPatch(state, patch.name);
  const objects = patch.objects.map((object): [string, ObjectView] => {
    const patched = isObjectPatched(state, patch, object);
    const func: FuncView = {
      patched,
      transition: inTransition,
      state: flagState(patched, inTransition, patch.enabled),
    };
    return [
      object.name,
      {
        loaded: isObjectLoaded(state, object.name),
        patched,
        state: flagState(patched, inTransition, patch.enabled),
        // Every function of an object shares its flags (klp_patch_object patches all or none).
        funcs: Object.fromEntries(object.funcs.map((key) => [key, { ...func }])),
      },
    ];
  });
  return {
    enabled: patch.enabled,
    forced: patch.forced,
    state: patchState(
      inTransition,
      patch.enabled,
      objects.map(([, object]) => object),
    ),
    // fromEntries defines own properties, so a module named `__proto__` stays a plain key.
    objects: Object.fromEntries(objects),
  };
}

/**
 * The func stacks (klp_ops.func_stack): klp_patch_func() adds at the head, and patches are patched in
 * `klp_patches` order (enable is stack-ordered, klp_module_coming walks the list), so each stack is
 * the patches that have the function patched, newest first.
 */
function funcStacks(state: HostState): Record<string, string[]> {
  const stacks = new Map<string, string[]>();
  for (let i = state.stack.length - 1; i >= 0; i--) {
    const patch = state.stack[i];
    for (const object of patch.objects) {
      if (!isObjectPatched(state, patch, object)) continue;
      for (const key of object.funcs) {
        const address = `${object.name}/${key}`;
        const stack = stacks.get(address);
        if (stack) stack.push(patch.name);
        else stacks.set(address, [patch.name]);
      }
    }
  }
  return Object.fromEntries([...stacks].sort(([a], [b]) => compareNames(a, b)));
}

/** The host view of DOMAIN.md, or `null` while the host does not exist (no accepted command yet). */
export function view(state: HostState): HostView | null {
  if (!hostExists(state)) return null;
  const { transition } = state;
  return {
    hostId: state.hostId,
    version: state.version,
    kernelRelease: state.kernelRelease,
    loadedModules: [...state.loadedModules],
    transition: transition && {
      patch: transition.patch,
      target: transition.target,
      pendingTasks: transition.pendingTasks,
      blockingTasks: transition.blockingTasks.map((task) => ({ ...task })),
    },
    stack: state.stack.map((patch) => patch.name),
    patches: Object.fromEntries(state.stack.map((patch) => [patch.name, patchView(state, patch)])),
    funcStacks: funcStacks(state),
  };
}
