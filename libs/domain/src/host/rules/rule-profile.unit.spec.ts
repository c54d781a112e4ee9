import { boot, enable, register } from '../../testing/commands';
import { given } from '../../testing/given-when-then';
import { disablePatch, enablePatch } from './patch.rules';
import type { PatchOrder, RuleProfile } from './rule-profile';
import { stackingProfile } from './stacking.profile';

describe('the rule profile seam', () => {
  it('decides with the stacking profile of kernels 4.12-5.0 when none is given', () => {
    given([boot(), register('lp-1'), register('lp-2')])
      .when(enable('lp-2'))
      .thenRejects('EBUSY', /registered before/);
    given([boot(), register('lp-1'), register('lp-2')], { profile: stackingProfile })
      .when(enable('lp-2'))
      .thenRejects('EBUSY');
  });

  it('lets another era change the order rules without touching decide, evolve or view (5.1+: no stacking)', () => {
    const anyOrder: PatchOrder = { mayEnable: () => null, mayDisable: () => null };
    const noStacking: RuleProfile = {
      id: 'test-no-stacking',
      description: 'a made-up profile for this spec',
      rules: {
        ...stackingProfile.rules,
        EnablePatch: enablePatch(anyOrder),
        DisablePatch: disablePatch(anyOrder),
      },
    };
    given([boot(), register('lp-1'), register('lp-2')], { profile: noStacking })
      .when(enable('lp-2'))
      .then([{ type: 'PatchEnabled', payload: { patch: 'lp-2' } }])
      .andView({ patches: { 'lp-1': { state: 'disabled' }, 'lp-2': { state: 'transition' } } });
  });

  it('lets a profile drop a command: it is then an unknown command type (EINVAL)', () => {
    const { RegisterPatch: _dropped, ...rest } = stackingProfile.rules;
    const withoutRegister = {
      ...stackingProfile,
      id: 'test-no-register',
      rules: rest,
    } as unknown as RuleProfile;
    given([boot()], { profile: withoutRegister })
      .when(register('lp-1'))
      .thenRejects('EINVAL', /unknown command type/);
  });
});
