import type { HostView } from '@klp/contracts';

/**
 * The invariants of DOMAIN.md ("after every event"), checked on a host view; returns what is broken.
 * Shared by the property specs; kept out of the decider, which holds them by construction.
 */
export function brokenInvariants(hostView: HostView): string[] {
  const broken: string[] = [];
  const { transition, stack, patches, funcStacks, loadedModules } = hostView;
  const names = Object.keys(patches);
  if (names.join() !== stack.join()) broken.push('patches are not the stack');

  const inTransition = names.filter((name) => patches[name].state === 'transition');
  if (inTransition.length > 1) broken.push('more than one transition');
  if ((transition?.patch ?? null) !== (inTransition[0] ?? null))
    broken.push('transition patch and states disagree');
  if (transition && !names.includes(transition.patch)) broken.push('transition of an unknown patch');

  const enabled = stack.map((name) => patches[name].enabled);
  const firstDisabled = enabled.indexOf(false);
  if (firstDisabled >= 0 && enabled.slice(firstDisabled).some(Boolean))
    broken.push('enabled patches are not a prefix of the stack');

  const sorted = [...loadedModules].sort();
  if (sorted.join() !== loadedModules.join() || new Set(loadedModules).size !== loadedModules.length) {
    broken.push('loadedModules not sorted and unique');
  }
  if (loadedModules.includes('vmlinux')) broken.push('vmlinux listed as a module');

  const expectedStacks: Record<string, string[]> = {};
  for (const name of [...stack].reverse()) {
    const patch = patches[name];
    const isTransitionPatch = transition?.patch === name;
    for (const [objectName, object] of Object.entries(patch.objects)) {
      const loaded = objectName === 'vmlinux' || loadedModules.includes(objectName);
      if (object.loaded !== loaded) broken.push(`${name}/${objectName}: loaded flag wrong`);
      if (object.patched && !object.loaded) broken.push(`${name}/${objectName}: patched but not loaded`);
      if (!transition && patch.enabled && object.loaded && !object.patched) {
        broken.push(`${name}/${objectName}: enabled patch with a loaded object unpatched`);
      }
      if (!transition && !patch.enabled && object.patched)
        broken.push(`${name}/${objectName}: disabled patch with a patched object`);
      for (const [key, func] of Object.entries(object.funcs)) {
        if (func.transition !== isTransitionPatch)
          broken.push(`${name}/${objectName}/${key}: transition flag wrong`);
        if (func.patched && !object.patched)
          broken.push(`${name}/${objectName}/${key}: patched in an unpatched object`);
        if (func.patched) (expectedStacks[`${objectName}/${key}`] ??= []).push(name);
      }
    }
  }
  const actualStacks = Object.fromEntries(
    Object.entries(funcStacks).map(([key, value]) => [key, [...value]]),
  );
  if (JSON.stringify(sortKeys(actualStacks)) !== JSON.stringify(sortKeys(expectedStacks))) {
    broken.push('funcStacks are not the patched functions, newest first');
  }
  return broken;
}

function sortKeys(record: Record<string, string[]>): [string, string[]][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1));
}
