import type { RegisterPatchPayload } from '@klp/contracts';
import { createPrng } from './prng';

/**
 * Kernel releases of the consistency-model era with stacking (4.12–5.0, DOMAIN.md): Debian 10,
 * RHEL 8 and Ubuntu 18.04 kernels, which is where such fleets ran livepatches.
 */
export const KERNEL_RELEASES = [
  '4.19.0-26-amd64',
  '4.19.0-27-amd64',
  '4.18.0-513.24.1.el8_9.x86_64',
  '4.18.0-553.el8_10.x86_64',
  '4.15.0-213-generic',
] as const;

/** Modules every host keeps loaded. */
export const BASE_MODULES = ['ext4', 'dm_mod', 'sunrpc', 'virtio_net'] as const;
/** Modules that come and go (the agent loads and unloads them now and then). */
export const OPTIONAL_MODULES = [
  'nfsd',
  'xfs',
  'kvm',
  'kvm_intel',
  'btrfs',
  'overlay',
  'bridge',
  'tun',
] as const;

export interface SimHostSpec {
  hostId: string;
  kernelRelease: string;
  /** Loaded at boot, sorted. */
  modules: string[];
}

export function hostId(index: number): string {
  return `sim-${String(index + 1).padStart(4, '0')}`;
}

/** The fleet of a seed: host `i` is always the same host, whatever the fleet size. */
export function simulatedFleet(count: number, seed: number): SimHostSpec[] {
  return Array.from({ length: count }, (_, index) => {
    const id = hostId(index);
    const rng = createPrng(`${seed}/${id}/boot`);
    const optional = OPTIONAL_MODULES.filter(() => rng.chance(0.45));
    return {
      hostId: id,
      kernelRelease: rng.pick(KERNEL_RELEASES),
      modules: [...BASE_MODULES, ...optional].sort(),
    };
  });
}

/**
 * The patches the operator script rolls out, in stacking order: each is enabled on a host only
 * once the one registered before it is enabled there (core.c: klp_enable_patch's stacking check).
 */
export const DEMO_PATCHES: readonly RegisterPatchPayload[] = [
  {
    name: 'livepatch_cve_2026_1234',
    objects: [
      { name: 'vmlinux', funcs: [{ name: 'cmdline_proc_show' }, { name: 'do_sys_open' }] },
      { name: 'nfsd', funcs: [{ name: 'nfsd_dispatch' }] },
    ],
  },
  {
    name: 'livepatch_cve_2026_2345',
    objects: [{ name: 'vmlinux', funcs: [{ name: 'do_sys_open' }, { name: 'tcp_v4_rcv' }] }],
  },
  {
    name: 'livepatch_cve_2026_3456',
    objects: [
      { name: 'vmlinux', funcs: [{ name: 'cmdline_proc_show' }] },
      { name: 'kvm', funcs: [{ name: 'kvm_vm_ioctl' }] },
      { name: 'xfs', funcs: [{ name: 'xfs_file_write_iter' }] },
    ],
  },
];

/** Processes that block a transition in real kernels: long sleepers in a patched function. */
export const BLOCKERS: ReadonlyArray<{ comm: string; function: string }> = [
  { comm: 'nfsd', function: 'nfsd_dispatch' },
  { comm: 'postgres', function: 'do_sys_open' },
  { comm: 'java', function: 'do_sys_open' },
  { comm: 'qemu-kvm', function: 'kvm_vm_ioctl' },
  { comm: 'cat', function: 'cmdline_proc_show' },
];
