import type { HostView } from '@klp/contracts';
import { boot, enable, object, register, vmlinux } from '../testing/commands';
import { given } from '../testing/given-when-then';
import { view } from './host.view';
import { brokenInvariants } from './invariants';

// The property specs trust this checker, so it must see each broken invariant of DOMAIN.md.
const sound = view(
  given([
    boot(['nfsd']),
    register('lp-1', vmlinux('f'), object('nfsd', 'g')),
    register('lp-2', vmlinux('f')),
    enable('lp-1'),
  ]).state,
) as HostView;

type Mutable = { -readonly [K in keyof HostView]: HostView[K] };

function broken(change: (copy: Mutable) => void): string[] {
  const copy = JSON.parse(JSON.stringify(sound)) as Mutable;
  change(copy);
  return brokenInvariants(copy);
}

function patch(copy: Mutable, name: string) {
  return copy.patches[name] as unknown as {
    enabled: boolean;
    state: string;
    objects: Record<
      string,
      { loaded: boolean; patched: boolean; funcs: Record<string, { patched: boolean; transition: boolean }> }
    >;
  };
}

describe('brokenInvariants', () => {
  it('finds nothing wrong in a view the decider made', () => {
    expect(brokenInvariants(sound)).toEqual([]);
  });

  it.each<[string, (copy: Mutable) => void]>([
    ['patches are not the stack', (c) => (c.stack = ['lp-2', 'lp-1'])],
    ['more than one transition', (c) => (patch(c, 'lp-2').state = 'transition')],
    ['transition patch and states disagree', (c) => (c.transition = null)],
    [
      'transition of an unknown patch',
      (c) => (c.transition = { patch: 'x', target: 'patched', pendingTasks: null, blockingTasks: [] }),
    ],
    [
      'enabled patches are not a prefix of the stack',
      (c) => ((patch(c, 'lp-1').enabled = false), (patch(c, 'lp-2').enabled = true)),
    ],
    ['loadedModules not sorted and unique', (c) => (c.loadedModules = ['nfsd', 'nfsd'])],
    ['vmlinux listed as a module', (c) => (c.loadedModules = ['nfsd', 'vmlinux'])],
    ['lp-1/nfsd: loaded flag wrong', (c) => (patch(c, 'lp-1').objects.nfsd.loaded = false)],
    [
      'lp-1/vmlinux/f,1: transition flag wrong',
      (c) => (patch(c, 'lp-1').objects.vmlinux.funcs['f,1'].transition = false),
    ],
    [
      'lp-1/vmlinux/f,1: patched in an unpatched object',
      (c) => (patch(c, 'lp-1').objects.vmlinux.patched = false),
    ],
    ['funcStacks are not the patched functions, newest first', (c) => (c.funcStacks = {})],
  ])('sees that %s', (why, change) => {
    expect(broken(change)).toContain(why);
  });

  it('sees patched-but-unloaded objects and, without a transition, enabled-but-unpatched or disabled-but-patched ones', () => {
    const settled = (c: Mutable) => {
      c.transition = null;
      patch(c, 'lp-1').state = 'patched';
      for (const func of Object.values(patch(c, 'lp-1').objects).flatMap((o) => Object.values(o.funcs)))
        func.transition = false;
    };
    expect(
      broken((c) => (settled(c), (c.loadedModules = []), (patch(c, 'lp-1').objects.nfsd.loaded = false))),
    ).toContain('lp-1/nfsd: patched but not loaded');
    expect(broken((c) => (settled(c), (patch(c, 'lp-1').objects.nfsd.patched = false)))).toContain(
      'lp-1/nfsd: enabled patch with a loaded object unpatched',
    );
    expect(broken((c) => (settled(c), (patch(c, 'lp-2').objects.vmlinux.patched = true)))).toContain(
      'lp-2/vmlinux: disabled patch with a patched object',
    );
  });
});
