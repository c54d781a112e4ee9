import {
  boot,
  disable,
  enable,
  object,
  patchComplete,
  progress,
  register,
  unpatchComplete,
  vmlinux,
  withId,
} from '../testing/commands';
import { given } from '../testing/given-when-then';

const twoPatches = [boot(), register('lp-1'), register('lp-2')];

describe('EnablePatch', () => {
  describe('it acts', () => {
    it('starts a transition to patched: loaded objects patched and pushed on their func stacks (__klp_enable_patch)', () => {
      given([boot(), register('lp-1', vmlinux('cmdline_proc_show'), object('nfsd', 'nfsd_dispatch'))])
        .when(enable('lp-1'))
        .then([{ type: 'PatchEnabled', payload: { patch: 'lp-1' } }])
        .andView({
          transition: { patch: 'lp-1', target: 'patched', pendingTasks: null, blockingTasks: [] },
          funcStacks: { 'vmlinux/cmdline_proc_show,1': ['lp-1'], 'nfsd/nfsd_dispatch,1': null },
          patches: {
            'lp-1': {
              enabled: true,
              state: 'transition',
              objects: {
                vmlinux: {
                  patched: true,
                  state: 'transition',
                  funcs: { 'cmdline_proc_show,1': { patched: true, transition: true, state: 'transition' } },
                },
                // klp_init_transition() marks every function, loaded or not; an absent module is armed.
                nfsd: {
                  loaded: false,
                  patched: false,
                  state: 'enabled',
                  funcs: { 'nfsd_dispatch,1': { patched: false, transition: true, state: 'enabled' } },
                },
              },
            },
          },
        });
    });

    it('pushes the new patch on top of the func stack (patch.c klp_patch_func: list_add_rcu at the head)', () => {
      given([...twoPatches, enable('lp-1'), patchComplete('lp-1')])
        .when(enable('lp-2'))
        .andView({ funcStacks: { 'vmlinux/cmdline_proc_show,1': ['lp-2', 'lp-1'] } });
    });

    it('reverses its own unpatching transition back to patching (enabled_store -> klp_reverse_transition)', () => {
      given([
        boot(),
        register('lp-1'),
        enable('lp-1'),
        patchComplete('lp-1'),
        disable('lp-1'),
        progress('lp-1', 3),
      ])
        .when(enable('lp-1'))
        .then([{ type: 'TransitionReversed', payload: { patch: 'lp-1', target: 'patched' } }])
        .andView({
          transition: { patch: 'lp-1', target: 'patched', pendingTasks: null, blockingTasks: [] },
          patches: { 'lp-1': { enabled: true, state: 'transition' } },
        });
    });

    it('enables a patch again after it was unpatched: it stays registered', () => {
      given([
        boot(),
        register('lp-1'),
        enable('lp-1'),
        patchComplete('lp-1'),
        disable('lp-1'),
        unpatchComplete('lp-1'),
      ])
        .when(enable('lp-1'))
        .then([{ type: 'PatchEnabled', payload: { patch: 'lp-1' } }]);
    });
  });

  describe('it refuses, each check in order', () => {
    it('EINVAL for a payload without a patch name', () => {
      given(twoPatches).when({ type: 'EnablePatch', payload: {} }).thenRejects('EINVAL');
    });

    it('ENOENT for an unknown patch, before anything else', () => {
      given([boot(), register('lp-1'), enable('lp-1')])
        .when(enable('lp-9'))
        .thenRejects('ENOENT');
    });

    it('ENOENT for a name no patch can have', () => {
      given(twoPatches).when(enable('lp 1')).thenRejects('ENOENT');
    });

    it('EINVAL when already enabled (enabled_store: "already in requested state")', () => {
      given([...twoPatches, enable('lp-1'), patchComplete('lp-1')])
        .when(enable('lp-1'))
        .thenRejects('EINVAL', /already enabled/);
    });

    it('EINVAL when already enabled, also during its own patching transition, before the reverse branch', () => {
      given([...twoPatches, enable('lp-1')])
        .when(enable('lp-1'))
        .thenRejects('EINVAL');
    });

    it('EBUSY while another patch is in transition (__klp_enable_patch: klp_transition_patch)', () => {
      given([...twoPatches, register('lp-3'), enable('lp-1'), patchComplete('lp-1'), enable('lp-2')])
        .when(enable('lp-3'))
        .thenRejects('EBUSY', /lp-2 is in transition/);
    });

    it('EBUSY from the transition check comes before the stacking check', () => {
      given([...twoPatches, register('lp-3'), enable('lp-1')])
        .when(enable('lp-3'))
        .thenRejects('EBUSY', /in transition/);
    });

    it('EBUSY when the patch registered just before it is not enabled ("enforce stacking")', () => {
      given(twoPatches)
        .when(enable('lp-2'))
        .thenRejects('EBUSY', /lp-1, registered before lp-2, is not enabled/);
    });
  });

  describe('it stays quiet', () => {
    it('a repeated enable returns the first acceptance, not EINVAL', () => {
      given([...twoPatches, withId(enable('lp-1'), 'c-en')])
        .when(withId(enable('lp-1'), 'c-en'))
        .thenNothingHappens();
    });

    it('a repeated refused enable returns the first EBUSY even once it would be accepted', () => {
      const when = given([
        ...twoPatches,
        withId(enable('lp-2'), 'c-en'),
        enable('lp-1'),
        patchComplete('lp-1'),
      ])
        .when(withId(enable('lp-2'), 'c-en'))
        .thenNothingHappens();
      expect(when.decision).toMatchObject({ first: { status: 'rejected', errno: 'EBUSY', version: 3 } });
    });
  });
});

describe('DisablePatch', () => {
  describe('it acts', () => {
    it('starts a transition to unpatched; functions stay on their stacks until it completes (__klp_disable_patch)', () => {
      given([boot(), register('lp-1'), enable('lp-1'), patchComplete('lp-1')])
        .when(disable('lp-1'))
        .then([{ type: 'PatchDisabled', payload: { patch: 'lp-1' } }])
        .andView({
          transition: { patch: 'lp-1', target: 'unpatched', pendingTasks: null, blockingTasks: [] },
          funcStacks: { 'vmlinux/cmdline_proc_show,1': ['lp-1'] },
          patches: {
            'lp-1': {
              enabled: false,
              state: 'transition',
              objects: {
                vmlinux: {
                  patched: true,
                  state: 'transition',
                  funcs: { 'cmdline_proc_show,1': { patched: true, transition: true } },
                },
              },
            },
          },
        });
    });

    it('reverses its own patching transition to unpatching (klp_reverse_transition)', () => {
      given([boot(), register('lp-1'), enable('lp-1'), progress('lp-1', 5, [{ pid: 1, comm: 'a' }])])
        .when(disable('lp-1'))
        .then([{ type: 'TransitionReversed', payload: { patch: 'lp-1', target: 'unpatched' } }])
        .andView({
          transition: { patch: 'lp-1', target: 'unpatched', pendingTasks: null, blockingTasks: [] },
          funcStacks: { 'vmlinux/cmdline_proc_show,1': ['lp-1'] },
          patches: { 'lp-1': { enabled: false, state: 'transition' } },
        });
    });

    it('disables the top of two stacked patches', () => {
      given([...twoPatches, enable('lp-1'), patchComplete('lp-1'), enable('lp-2'), patchComplete('lp-2')])
        .when(disable('lp-2'))
        .then([{ type: 'PatchDisabled', payload: { patch: 'lp-2' } }]);
    });
  });

  describe('it refuses, each check in order', () => {
    it('EINVAL for a patch reference that is not a string', () => {
      given(twoPatches).when(disable(null)).thenRejects('EINVAL');
    });

    it('ENOENT for an unknown patch', () => {
      given(twoPatches).when(disable('lp-9')).thenRejects('ENOENT');
    });

    it('EINVAL when not enabled (enabled_store: "already in requested state")', () => {
      given(twoPatches)
        .when(disable('lp-1'))
        .thenRejects('EINVAL', /not enabled/);
    });

    it('EINVAL when not enabled, also during its own unpatching transition', () => {
      given([...twoPatches, enable('lp-1'), patchComplete('lp-1'), disable('lp-1')])
        .when(disable('lp-1'))
        .thenRejects('EINVAL');
    });

    it('EBUSY while another patch is in transition (__klp_disable_patch: klp_transition_patch)', () => {
      given([
        ...twoPatches,
        enable('lp-1'),
        patchComplete('lp-1'),
        enable('lp-2'),
        patchComplete('lp-2'),
        disable('lp-2'),
      ])
        .when(disable('lp-1'))
        .thenRejects('EBUSY', /lp-2 is in transition/);
    });

    it('EBUSY when the patch registered just after it is enabled ("enforce stacking")', () => {
      given([...twoPatches, enable('lp-1'), patchComplete('lp-1'), enable('lp-2'), patchComplete('lp-2')])
        .when(disable('lp-1'))
        .thenRejects('EBUSY', /lp-2, registered after lp-1, is enabled/);
    });
  });

  describe('it stays quiet', () => {
    it('a repeated disable returns the first acceptance', () => {
      given([
        boot(),
        register('lp-1'),
        enable('lp-1'),
        patchComplete('lp-1'),
        withId(disable('lp-1'), 'c-dis'),
      ])
        .when(withId(disable('lp-1'), 'c-dis'))
        .thenNothingHappens();
    });
  });
});
