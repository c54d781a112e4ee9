import {
  boot,
  disable,
  enable,
  force,
  object,
  patchComplete,
  progress,
  register,
  unpatchComplete,
  withId,
} from '../testing/commands';
import { given } from '../testing/given-when-then';

const patching = [boot(['nfsd']), register('lp-1'), enable('lp-1')];
const unpatching = [...patching, patchComplete('lp-1'), disable('lp-1')];

describe('ForceTransition', () => {
  describe('it acts', () => {
    it('completes a patching transition at once and marks the patch forced (klp_force_transition)', () => {
      given(patching)
        .when(force('lp-1'))
        .then([{ type: 'TransitionForced', payload: { patch: 'lp-1', target: 'patched' } }])
        .andView({
          transition: null,
          funcStacks: { 'vmlinux/cmdline_proc_show,1': ['lp-1'] },
          patches: { 'lp-1': { enabled: true, forced: true, state: 'patched' } },
        });
    });

    it('completes an unpatching transition: functions leave the stacks', () => {
      given(unpatching)
        .when(force('lp-1'))
        .then([{ type: 'TransitionForced', payload: { patch: 'lp-1', target: 'unpatched' } }])
        .andView({
          transition: null,
          funcStacks: {},
          patches: { 'lp-1': { enabled: false, forced: true, state: 'disabled' } },
        });
    });
  });

  describe('it refuses', () => {
    it('EINVAL for a patch that is not in transition (force_store: patch != klp_transition_patch)', () => {
      given([...patching, register('lp-2')])
        .when(force('lp-2'))
        .thenRejects('EINVAL', /not in transition/);
    });

    it('EINVAL for an unknown patch', () => {
      given(patching).when(force('nope')).thenRejects('EINVAL');
    });

    it('EINVAL when no transition runs', () => {
      given([...patching, patchComplete('lp-1')])
        .when(force('lp-1'))
        .thenRejects('EINVAL');
    });
  });

  describe('it stays quiet', () => {
    it('a repeated force returns the first acceptance', () => {
      given([...patching, withId(force('lp-1'), 'c-f')])
        .when(withId(force('lp-1'), 'c-f'))
        .thenNothingHappens();
    });
  });
});

describe('PatchComplete', () => {
  describe('it acts', () => {
    it('ends the patching transition; functions leave transition (klp_complete_transition)', () => {
      given([...patching, progress('lp-1', 0)])
        .when(patchComplete('lp-1'))
        .then([{ type: 'TransitionCompleted', payload: { patch: 'lp-1', target: 'patched' } }])
        .andView({
          transition: null,
          patches: {
            'lp-1': {
              enabled: true,
              state: 'patched',
              objects: {
                vmlinux: {
                  funcs: { 'cmdline_proc_show,1': { patched: true, transition: false, state: 'patched' } },
                },
              },
            },
          },
        });
    });

    it('leaves a patch whose module is absent enabled but not patched', () => {
      given([boot(), register('lp-1', object('nfsd', 'nfsd_dispatch')), enable('lp-1')])
        .when(patchComplete('lp-1'))
        .andView({
          patches: { 'lp-1': { state: 'enabled', objects: { nfsd: { state: 'enabled', loaded: false } } } },
        });
    });
  });

  describe('it refuses', () => {
    it('EINVAL when the transition heads to unpatched', () => {
      given(unpatching)
        .when(patchComplete('lp-1'))
        .thenRejects('EINVAL', /heads to unpatched/);
    });

    it('EINVAL for an unknown patch (it is not the transition patch)', () => {
      given(patching).when(patchComplete('lp-9')).thenRejects('EINVAL');
    });

    it('EINVAL when no transition runs', () => {
      given([boot(), register('lp-1')])
        .when(patchComplete('lp-1'))
        .thenRejects('EINVAL');
    });

    it('EINVAL for a malformed payload', () => {
      given(patching).when({ type: 'PatchComplete', payload: 'lp-1' }).thenRejects('EINVAL');
    });
  });

  describe('it stays quiet', () => {
    it('a repeated completion returns the first acceptance, not EINVAL', () => {
      given([...patching, withId(patchComplete('lp-1'), 'c-pc')])
        .when(withId(patchComplete('lp-1'), 'c-pc'))
        .thenNothingHappens();
    });
  });
});

describe('UnpatchComplete', () => {
  describe('it acts', () => {
    it('unpatches objects and functions, ends the transition; the patch stays registered and disabled', () => {
      given(unpatching)
        .when(unpatchComplete('lp-1'))
        .then([{ type: 'TransitionCompleted', payload: { patch: 'lp-1', target: 'unpatched' } }])
        .andView({
          transition: null,
          stack: ['lp-1'],
          funcStacks: {},
          patches: {
            'lp-1': {
              enabled: false,
              state: 'disabled',
              objects: {
                vmlinux: {
                  loaded: true,
                  patched: false,
                  funcs: { 'cmdline_proc_show,1': { patched: false, transition: false } },
                },
              },
            },
          },
        });
    });
  });

  describe('it refuses', () => {
    it('EINVAL when the transition heads to patched', () => {
      given(patching).when(unpatchComplete('lp-1')).thenRejects('EINVAL');
    });

    it('EINVAL for an unknown patch', () => {
      given(unpatching).when(unpatchComplete('x')).thenRejects('EINVAL');
    });
  });

  describe('it stays quiet', () => {
    it('a repeated completion returns the first acceptance', () => {
      given([...unpatching, withId(unpatchComplete('lp-1'), 'c-uc')])
        .when(withId(unpatchComplete('lp-1'), 'c-uc'))
        .thenNothingHappens();
    });
  });
});
