import type { TransitionTarget } from '@klp/contracts';
import { isModuleLoaded, type HostState, type TransitionState } from '../host.state';
import { parseBoot, parseErrnoName, parseModule, parsePatchFields, parseProgress, show } from './payloads';
import type { CommandRule } from './rule-profile';
import { accept, parsed, refuse, type Parsed } from './verdict';

/** Reports from the host's agent: what the kernel did. */

/** A reboot unloads every livepatch module: no patches, no transition, no forced flags. */
export const hostBooted: CommandRule = (payload) => {
  const boot = parseBoot(payload);
  if (!boot.ok) return boot;
  return accept('HostBooted', { kernelRelease: boot.value.kernelRelease, modules: boot.value.modules });
};

/**
 * klp_module_coming(): the module joins the loaded ones; the objects that target it are patched for
 * every enabled or transition patch ("Only patch the module if the patch is enabled or is in
 * transition"), in `klp_patches` order, which `view` derives.
 */
export const moduleComing: CommandRule = (payload, state) => {
  const module = parseModule(payload);
  if (!module.ok) return module;
  // load_module() -> add_unformed_module(): a module of that name already exists, -EEXIST.
  if (isModuleLoaded(state, module.value))
    return refuse('EEXIST', `module ${module.value} is already loaded`);
  return accept('ModuleLoaded', { module: module.value });
};

/** klp_module_going() -> klp_cleanup_module_patches(): objects of enabled or transition patches are unpatched. */
export const moduleGoing: CommandRule = (payload, state) => {
  const module = parseModule(payload);
  if (!module.ok) return module;
  if (!isModuleLoaded(state, module.value)) return refuse('ENOENT', `module ${module.value} is not loaded`);
  return accept('ModuleUnloaded', { module: module.value });
};

/** The named patch must be the transition patch (heading to `target`, when given). */
function theTransition(
  payload: unknown,
  state: HostState,
  target?: TransitionTarget,
): Parsed<{ transition: TransitionState; fields: Readonly<Record<string, unknown>> }> {
  const ref = parsePatchFields(payload);
  if (!ref.ok) return ref;
  const { transition } = state;
  if (!transition || transition.patch !== ref.value.patch) {
    return refuse('EINVAL', `patch ${show(ref.value.patch)} is not in transition`);
  }
  if (target !== undefined && transition.target !== target) {
    return refuse(
      'EINVAL',
      `the transition of ${transition.patch} heads to ${transition.target}, not ${target}`,
    );
  }
  return parsed({ transition, fields: ref.value.fields });
}

/** klp_complete_transition() toward KLP_PATCHED: the functions leave `transition`. */
export const patchComplete: CommandRule = (payload, state) => {
  const found = theTransition(payload, state, 'patched');
  if (!found.ok) return found;
  return accept('TransitionCompleted', { patch: found.value.transition.patch, target: 'patched' });
};

/** klp_complete_transition() toward KLP_UNPATCHED: klp_unpatch_objects(), the patch stays registered. */
export const unpatchComplete: CommandRule = (payload, state) => {
  const found = theTransition(payload, state, 'unpatched');
  if (!found.ok) return found;
  return accept('TransitionCompleted', { patch: found.value.transition.patch, target: 'unpatched' });
};

/**
 * __klp_enable_patch() error path -> klp_cancel_transition(): only before the transition has started
 * to run, i.e. before any progress report and before any reverse.
 */
export const enableFailed: CommandRule = (payload, state) => {
  const found = theTransition(payload, state, 'patched');
  if (!found.ok) return found;
  const { transition, fields } = found.value;
  if (!transition.cancellable) {
    return refuse('EINVAL', `the transition of ${transition.patch} is already under way`);
  }
  const errno = parseErrnoName(fields.errno);
  if (!errno.ok) return errno;
  return accept('PatchEnableFailed', { patch: transition.patch, errno: errno.value });
};

/** The agent's reading of /proc/<pid>/patch_state while klp_try_complete_transition() keeps failing. */
export const transitionProgress: CommandRule = (payload, state) => {
  const found = theTransition(payload, state);
  if (!found.ok) return found;
  const progress = parseProgress(found.value.fields);
  if (!progress.ok) return progress;
  return accept('TransitionProgressReported', { patch: found.value.transition.patch, ...progress.value });
};
