import type { CommandEnvelope } from '@klp/contracts';

/** mulberry32: a small seeded PRNG, so that a failing run fails the same way with the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PATCHES = ['lp_cve_1', 'lp_cve_2', 'lp_cve_3'];
const MODULES = ['ext4', 'xfs', 'nfsd'];

/**
 * A plausible stream of commands over `hosts` hosts: each host boots first, then gets a random mix
 * of operator commands and agent reports. Many are refused (EBUSY, ENOENT, ...): every command
 * still has exactly one outcome. About `repeatRate` of them repeat an earlier commandId of the same
 * host, which must append nothing.
 */
export function generateCommands(options: {
  seed: number;
  runId: string;
  hosts: number;
  count: number;
  repeatRate?: number;
}): CommandEnvelope[] {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const hostIds = Array.from({ length: options.hosts }, (_, i) => `${options.runId}-host-${i}`);
  const sent = new Map<string, CommandEnvelope[]>();
  const commands: CommandEnvelope[] = [];
  const clock = Date.UTC(2026, 10, 27, 12, 0, 0);
  for (let i = 0; i < options.count; i++) {
    const hostId = i < hostIds.length ? hostIds[i] : pick(hostIds);
    const earlier = sent.get(hostId) ?? [];
    if (earlier.length > 0 && random() < (options.repeatRate ?? 0)) {
      commands.push(pick(earlier));
      continue;
    }
    const base = {
      commandId: `${options.runId}-c${i}`,
      hostId,
      actor: 'spec',
      issuedAt: new Date(clock + i).toISOString(),
    };
    const patch = pick(PATCHES);
    const command = (
      earlier.length === 0
        ? { ...base, type: 'HostBooted', payload: { kernelRelease: '6.1.0-18-amd64', modules: ['ext4'] } }
        : pick([
            { ...base, type: 'RegisterPatch', payload: registration(patch) },
            { ...base, type: 'RegisterPatch', payload: registration(patch) },
            { ...base, type: 'EnablePatch', payload: { patch } },
            { ...base, type: 'EnablePatch', payload: { patch } },
            { ...base, type: 'PatchComplete', payload: { patch } },
            { ...base, type: 'DisablePatch', payload: { patch } },
            { ...base, type: 'UnpatchComplete', payload: { patch } },
            {
              ...base,
              type: 'TransitionProgress',
              payload: { patch, pendingTasks: Math.floor(random() * 5) },
            },
            { ...base, type: 'ModuleComing', payload: { module: pick(MODULES) } },
            { ...base, type: 'ModuleGoing', payload: { module: pick(MODULES) } },
            { ...base, type: 'UnregisterPatch', payload: { patch } },
            { ...base, type: 'ForceTransition', payload: { patch } },
          ])
    ) as CommandEnvelope;
    earlier.push(command);
    sent.set(hostId, earlier);
    commands.push(command);
  }
  return commands;
}

function registration(patch: string) {
  return {
    name: patch,
    objects: [
      { name: 'vmlinux', funcs: [{ name: 'cmdline_proc_show' }, { name: 'meminfo_proc_show' }] },
      { name: 'ext4', funcs: [{ name: 'ext4_file_open' }] },
    ],
  };
}
