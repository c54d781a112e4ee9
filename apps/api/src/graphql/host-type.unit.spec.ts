import { decide, evolve, initialState, view } from '@klp/domain';
import type { CommandEnvelope } from '@klp/contracts';
import { toHostType } from './host-type';

const at = '2026-11-27T00:00:00.000Z';
const commands = [
  { type: 'HostBooted', payload: { kernelRelease: '4.19.0-27-amd64', modules: ['nfsd'] } },
  {
    type: 'RegisterPatch',
    payload: { name: 'lp-1', objects: [{ name: 'nfsd', funcs: [{ name: 'nfsd_dispatch' }] }] },
  },
  { type: 'EnablePatch', payload: { patch: 'lp-1' } },
];

describe('the host view as GraphQL lists', () => {
  it('keeps every field of the view, keyed names becoming name fields', () => {
    let state = initialState('web-01');
    commands.forEach((command, index) => {
      const envelope = {
        ...command,
        commandId: `c${index}`,
        hostId: 'web-01',
        actor: 'ops',
        issuedAt: at,
      } as CommandEnvelope;
      const decision = decide(envelope, state);
      if (decision.outcome !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(decision)}`);
      state = decision.events.reduce(evolve, state);
    });
    const hostView = view(state);
    if (!hostView) throw new Error('no view');
    const host = toHostType(hostView);
    expect(host.view).toBe(hostView);
    expect(host.patches).toEqual([
      {
        name: 'lp-1',
        enabled: true,
        forced: false,
        state: 'transition',
        objects: [
          {
            name: 'nfsd',
            loaded: true,
            patched: true,
            state: 'transition',
            funcs: [{ key: 'nfsd_dispatch,1', patched: true, transition: true, state: 'transition' }],
          },
        ],
      },
    ]);
    expect(host.funcStacks).toEqual([{ function: 'nfsd/nfsd_dispatch,1', patches: ['lp-1'] }]);
    expect(host.transition).toMatchObject({ patch: 'lp-1', target: 'patched', pendingTasks: null });
  });
});
