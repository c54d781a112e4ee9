const PATCHES = ['lp-a', 'lp-b', 'lp-c'] as const;
const MODULES = ['nfsd', 'xfs', 'kvm'] as const;
const TYPES = [
  'HostBooted',
  'RegisterPatch',
  'RegisterPatch',
  'EnablePatch',
  'EnablePatch',
  'DisablePatch',
  'UnregisterPatch',
  'ForceTransition',
  'ModuleComing',
  'ModuleGoing',
  'PatchComplete',
  'PatchComplete',
  'UnpatchComplete',
  'UnpatchComplete',
  'EnableFailed',
  'TransitionProgress',
] as const;

/**
 * One random command over few patch and module names, valid and refused alike, so that stacking,
 * transitions and module churn all happen. Used by the fold-equivalence test and the fault load.
 */
export function randomCommand(
  random: () => number,
  hosts: { count: number; prefix: string; digits: number },
): { hostId: string; type: string; payload: unknown } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const hostId = `${hosts.prefix}${String(Math.floor(random() * hosts.count)).padStart(hosts.digits, '0')}`;
  const patch = pick(PATCHES);
  const module = pick(MODULES);
  const type = pick(TYPES);
  const payloads: Record<(typeof TYPES)[number], unknown> = {
    HostBooted: { kernelRelease: '4.19.0-27-amd64', modules: random() < 0.5 ? ['nfsd'] : [] },
    RegisterPatch: {
      name: patch,
      objects: [
        { name: 'vmlinux', funcs: [{ name: 'cmdline_proc_show' }] },
        { name: module, funcs: [{ name: `${module}_entry` }] },
      ],
    },
    EnablePatch: { patch },
    DisablePatch: { patch },
    UnregisterPatch: { patch },
    ForceTransition: { patch },
    ModuleComing: { module },
    ModuleGoing: { module },
    PatchComplete: { patch },
    UnpatchComplete: { patch },
    EnableFailed: { patch, errno: 'ENODEV' },
    TransitionProgress: { patch, pendingTasks: Math.floor(random() * 50), blockingTasks: [] },
  };
  return { hostId, type, payload: payloads[type] };
}
