import { findPatch, indexOfPatch, isTransitionPatch } from '../host.state';
import { parsePatchRef, parseRegistration, show } from './payloads';
import type { CommandRule, PatchOrder } from './rule-profile';
import { accept, refuse } from './verdict';

/** Operator commands on a patch's life: register, enable, disable, force, unregister. */

/** klp_register_patch(): the module is loaded; the patch joins the tail of `klp_patches`, disabled. */
export const registerPatch: CommandRule = (payload, state) => {
  const registration = parseRegistration(payload);
  if (!registration.ok) return registration;
  const { name, objects } = registration.value;
  if (findPatch(state, name)) return refuse('EEXIST', `patch ${name} is already registered`);
  return accept('PatchRegistered', { patch: name, objects });
};

/**
 * enabled_store() writing 1: "already in requested state" is -EINVAL before anything else; writing
 * to the transition patch reverses it (klp_reverse_transition); otherwise __klp_enable_patch():
 * -EBUSY while another transition runs, then the profile's order rule.
 */
export function enablePatch(order: PatchOrder): CommandRule {
  return (payload, state) => {
    const name = parsePatchRef(payload);
    if (!name.ok) return name;
    const index = indexOfPatch(state, name.value);
    if (index < 0) return refuse('ENOENT', `patch ${show(name.value)} is not registered`);
    const patch = state.stack[index];
    if (patch.enabled) return refuse('EINVAL', `patch ${patch.name} is already enabled`);
    if (isTransitionPatch(state, patch.name)) {
      return accept('TransitionReversed', { patch: patch.name, target: 'patched' });
    }
    if (state.transition) {
      return refuse('EBUSY', `patch ${state.transition.patch} is in transition`);
    }
    const outOfOrder = order.mayEnable(state, index);
    if (outOfOrder) return outOfOrder;
    return accept('PatchEnabled', { patch: patch.name });
  };
}

/** enabled_store() writing 0, then __klp_disable_patch(): the mirror of {@link enablePatch}. */
export function disablePatch(order: PatchOrder): CommandRule {
  return (payload, state) => {
    const name = parsePatchRef(payload);
    if (!name.ok) return name;
    const index = indexOfPatch(state, name.value);
    if (index < 0) return refuse('ENOENT', `patch ${show(name.value)} is not registered`);
    const patch = state.stack[index];
    if (!patch.enabled) return refuse('EINVAL', `patch ${patch.name} is not enabled`);
    if (isTransitionPatch(state, patch.name)) {
      return accept('TransitionReversed', { patch: patch.name, target: 'unpatched' });
    }
    if (state.transition) {
      return refuse('EBUSY', `patch ${state.transition.patch} is in transition`);
    }
    const outOfOrder = order.mayDisable(state, index);
    if (outOfOrder) return outOfOrder;
    return accept('PatchDisabled', { patch: patch.name });
  };
}

/**
 * klp_unregister_patch(): -EBUSY while enabled. In transition or forced, the kernel holds a reference
 * on the livepatch module (try_module_get in __klp_enable_patch; module_put skipped after a forced
 * transition), so the module exit that would unregister cannot run: also EBUSY here.
 */
export const unregisterPatch: CommandRule = (payload, state) => {
  const name = parsePatchRef(payload);
  if (!name.ok) return name;
  const patch = findPatch(state, name.value);
  if (!patch) return refuse('ENOENT', `patch ${show(name.value)} is not registered`);
  if (patch.enabled) return refuse('EBUSY', `patch ${patch.name} is enabled`);
  if (isTransitionPatch(state, patch.name)) return refuse('EBUSY', `patch ${patch.name} is in transition`);
  if (patch.forced) return refuse('EBUSY', `patch ${patch.name} was forced: its module stays until reboot`);
  return accept('PatchUnregistered', { patch: patch.name });
};

/** force_store(): -EINVAL unless it is klp_transition_patch; klp_force_transition() then completes it. */
export const forceTransition: CommandRule = (payload, state) => {
  const name = parsePatchRef(payload);
  if (!name.ok) return name;
  const { transition } = state;
  if (!transition || transition.patch !== name.value) {
    return refuse('EINVAL', `patch ${show(name.value)} is not in transition`);
  }
  return accept('TransitionForced', { patch: transition.patch, target: transition.target });
};
