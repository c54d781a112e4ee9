import type { CommandEnvelope } from '@klp/contracts';

/** A small seeded PRNG (mulberry32): the same seed gives the same workload on every run. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KERNELS = ['4.19.0-27-amd64', '4.19.0-26-amd64', '4.18.0-553.el8_10.x86_64'];
const MODULES = ['nfsd', 'xfs', 'kvm', 'ext4', 'bridge'];

/**
 * The command stream of an operations day, host after host in round-robin so that each host's
 * commands stay in order: boot, register two stacked patches, enable waves with progress reports
 * and completions, module churn, disable and unregister, and a few refused commands (a disable
 * in the wrong order, a duplicate), as operators and agents really send them.
 */
export function* operationsWorkload(hosts: number, seed: number): Generator<CommandEnvelope> {
  const random = prng(seed);
  const issuedAt = new Date('2026-11-27T00:00:00Z').toISOString();
  const scripts = Array.from({ length: hosts }, (_, index) =>
    hostScript(`bench-${String(index).padStart(6, '0')}`, random),
  );
  let sequence = 0;
  for (let round = 0; ; round++) {
    let any = false;
    for (const script of scripts) {
      const next = script.next();
      if (next.done) continue;
      any = true;
      sequence += 1;
      yield {
        ...next.value,
        commandId: `c-${seed}-${sequence}`,
        actor: 'bench',
        issuedAt,
      } as CommandEnvelope;
    }
    if (!any) return;
  }
}

type Step = Omit<CommandEnvelope, 'commandId' | 'actor' | 'issuedAt'>;

function* hostScript(hostId: string, random: () => number): Generator<Step> {
  const command = (type: string, payload: object) => ({ hostId, type, payload }) as Step;
  const modules = MODULES.filter(() => random() < 0.5);
  for (let cycle = 0; ; cycle++) {
    yield command('HostBooted', { kernelRelease: KERNELS[Math.floor(random() * KERNELS.length)], modules });
    const lp1 = `livepatch_cve_2026_${1000 + cycle}`;
    const lp2 = `livepatch_cve_2026_${5000 + cycle}`;
    yield command('RegisterPatch', {
      name: lp1,
      objects: [
        { name: 'vmlinux', funcs: [{ name: 'cmdline_proc_show' }, { name: 'do_sys_open' }] },
        { name: 'nfsd', funcs: [{ name: 'nfsd_dispatch' }] },
      ],
    });
    yield command('RegisterPatch', {
      name: lp2,
      objects: [{ name: 'vmlinux', funcs: [{ name: 'cmdline_proc_show' }] }],
    });
    for (const patch of [lp1, lp2]) {
      yield command('EnablePatch', { patch });
      for (let pending = 64; pending > 0; pending = Math.floor(pending / 4)) {
        yield command('TransitionProgress', { patch, pendingTasks: pending, blockingTasks: [] });
      }
      yield command('PatchComplete', { patch });
    }
    yield command('DisablePatch', { patch: lp1 }); // refused: lp2 is stacked on it (EBUSY)
    yield command(random() < 0.5 ? 'ModuleComing' : 'ModuleGoing', { module: 'nfsd' });
    for (const patch of [lp2, lp1]) {
      yield command('DisablePatch', { patch });
      yield command('UnpatchComplete', { patch });
      yield command('UnregisterPatch', { patch });
    }
    if (cycle >= 1000) return;
  }
}
