import { disablePatch, enablePatch, forceTransition, registerPatch, unregisterPatch } from './patch.rules';
import {
  enableFailed,
  hostBooted,
  moduleComing,
  moduleGoing,
  patchComplete,
  transitionProgress,
  unpatchComplete,
} from './report.rules';
import type { PatchOrder, RuleProfile } from './rule-profile';
import { refuse } from './verdict';

/**
 * Stacking (kernels 4.12-5.0): patches are enabled in registration order and disabled in reverse,
 * so that each one is built on top of the ones below it.
 */
export const stackingOrder: PatchOrder = {
  // __klp_enable_patch(): "enforce stacking: only the first disabled patch can be enabled"
  mayEnable(state, index) {
    const below = state.stack[index - 1];
    return below && !below.enabled
      ? refuse('EBUSY', `patch ${below.name}, registered before ${state.stack[index].name}, is not enabled`)
      : null;
  },
  // __klp_disable_patch(): "enforce stacking: only the last enabled patch can be disabled"
  mayDisable(state, index) {
    const above = state.stack[index + 1];
    return above && above.enabled
      ? refuse('EBUSY', `patch ${above.name}, registered after ${state.stack[index].name}, is enabled`)
      : null;
  },
};

export const STACKING_PROFILE_ID = 'stacking-4.12';

/** The consistency model with stacking: kernel/livepatch/core.c and transition.c of 4.12 to 5.0. */
export const stackingProfile: RuleProfile = {
  id: STACKING_PROFILE_ID,
  description: 'kernels 4.12-5.0: register, then enable in stack order; one transition at a time',
  rules: {
    RegisterPatch: registerPatch,
    EnablePatch: enablePatch(stackingOrder),
    DisablePatch: disablePatch(stackingOrder),
    UnregisterPatch: unregisterPatch,
    ForceTransition: forceTransition,
    HostBooted: hostBooted,
    ModuleComing: moduleComing,
    ModuleGoing: moduleGoing,
    PatchComplete: patchComplete,
    UnpatchComplete: unpatchComplete,
    EnableFailed: enableFailed,
    TransitionProgress: transitionProgress,
  },
};
