import type { HostEvent } from '@klp/contracts';
import {
  boot,
  coming,
  disable,
  enable,
  envelope,
  object,
  patchComplete,
  progress,
  register,
  vmlinux,
  type TestCommand,
} from '../testing/commands';
import { given } from '../testing/given-when-then';
import { decide } from './decide';
import { evolve, fold } from './evolve';
import { initialState, type HostState } from './host.state';
import { view } from './host.view';

function run(commands: readonly TestCommand[]): { state: HostState; events: HostEvent[] } {
  let state = initialState('web-01');
  const events: HostEvent[] = [];
  commands.forEach((command, i) => {
    const decision = decide(envelope(command, `c-${i}`, 'web-01'), state);
    if (decision.outcome === 'duplicate') return;
    for (const event of decision.events) {
      events.push(event);
      state = evolve(state, event);
    }
  });
  return { state, events };
}

describe('view', () => {
  it('is null while the host does not exist', () => {
    expect(view(initialState('h1'))).toBeNull();
  });

  it('gives exactly the host view of DOMAIN.md', () => {
    const { state } = run([
      boot(['nfsd'], '4.19.0-27-amd64'),
      register('lp-1', vmlinux('cmdline_proc_show')),
      register('lp-2', vmlinux('cmdline_proc_show')),
      enable('lp-1'),
      patchComplete('lp-1'),
      enable('lp-2'),
      progress('lp-2', 3),
    ]);
    expect(view(state)).toEqual({
      hostId: 'web-01',
      version: 7,
      kernelRelease: '4.19.0-27-amd64',
      loadedModules: ['nfsd'],
      transition: { patch: 'lp-2', target: 'patched', pendingTasks: 3, blockingTasks: [] },
      stack: ['lp-1', 'lp-2'],
      patches: {
        'lp-1': {
          enabled: true,
          forced: false,
          state: 'patched',
          objects: {
            vmlinux: {
              loaded: true,
              patched: true,
              state: 'patched',
              funcs: { 'cmdline_proc_show,1': { patched: true, transition: false, state: 'patched' } },
            },
          },
        },
        'lp-2': {
          enabled: true,
          forced: false,
          state: 'transition',
          objects: {
            vmlinux: {
              loaded: true,
              patched: true,
              state: 'transition',
              funcs: { 'cmdline_proc_show,1': { patched: true, transition: true, state: 'transition' } },
            },
          },
        },
      },
      funcStacks: { 'vmlinux/cmdline_proc_show,1': ['lp-2', 'lp-1'] },
    });
  });

  it('sorts loadedModules and funcStacks keys, whatever the order of arrival', () => {
    const { state } = run([
      boot(['zfs', 'btrfs']),
      coming('nfsd'),
      coming('aa'),
      register('lp-1', object('zfs', 'z'), vmlinux('b', 'a')),
      enable('lp-1'),
    ]);
    const hostView = view(state);
    expect(hostView?.loadedModules).toEqual(['aa', 'btrfs', 'nfsd', 'zfs']);
    expect(Object.keys(hostView?.funcStacks ?? {})).toEqual(['vmlinux/a,1', 'vmlinux/b,1', 'zfs/z,1']);
  });

  it('keeps a patch or module named __proto__ as a plain key', () => {
    const { state } = run([boot(['__proto__']), register('__proto__', object('__proto__', 'f'))]);
    const hostView = view(state);
    expect(Object.keys(hostView?.patches ?? {})).toEqual(['__proto__']);
    expect(Object.hasOwn(hostView?.patches ?? {}, '__proto__')).toBe(true);
    expect(JSON.parse(JSON.stringify(hostView))).toEqual(hostView);
  });

  it('is a fresh copy: changing it does not change the state', () => {
    const { state } = run([
      boot(['nfsd']),
      register('lp-1'),
      enable('lp-1'),
      progress('lp-1', 1, [{ pid: 1, comm: 'a' }]),
    ]);
    const first = view(state) as unknown as {
      loadedModules: string[];
      transition: { blockingTasks: { pid: number }[] };
    };
    first.loadedModules.push('x');
    first.transition.blockingTasks[0].pid = 99;
    expect(view(state)).toMatchObject({
      loadedModules: ['nfsd'],
      transition: { blockingTasks: [{ pid: 1 }] },
    });
  });
});

describe('evolve', () => {
  const commands = [
    boot(['nfsd']),
    register('lp-1', vmlinux('f'), object('nfsd', 'g')),
    register('lp-2'),
    enable('lp-1'),
    progress('lp-1', 2),
    disable('lp-1'),
    enable('lp-9'),
    enable('lp-1'),
    patchComplete('lp-1'),
  ];

  it('folding a host’s events from initialState gives exactly the state that decided them', () => {
    const { state, events } = run(commands);
    expect(fold('web-01', events)).toStrictEqual(state);
  });

  it('can fold on from a snapshot restored with JSON.parse', () => {
    const { state, events } = run(commands);
    const snapshot = JSON.parse(JSON.stringify(fold('web-01', events.slice(0, 4)))) as HostState;
    expect(fold('web-01', events.slice(4), snapshot)).toStrictEqual(state);
  });

  it('copies on write: untouched patches and the previous state are shared, not cloned', () => {
    const { state } = run([boot(), register('lp-1'), register('lp-2'), register('lp-3')]);
    const decision = decide(envelope(enable('lp-1'), 'c-x', 'web-01'), state);
    if (decision.outcome !== 'accepted') throw new Error('expected an acceptance');
    const next = evolve(state, decision.events[0]);
    expect(next.stack[1]).toBe(state.stack[1]);
    expect(next.stack[2]).toBe(state.stack[2]);
    expect(next.loadedModules).toBe(state.loadedModules);
    expect(state.stack[0].enabled).toBe(false);
  });

  it('ignores a progress event when no transition runs (events out of order stay harmless)', () => {
    const { state } = run([boot(), register('lp-1')]);
    const orphan: HostEvent = {
      schemaVersion: 1,
      type: 'TransitionProgressReported',
      hostId: 'web-01',
      version: 3,
      payload: { patch: 'lp-1', pendingTasks: 1, blockingTasks: [] },
      commandId: 'c-o',
      correlationId: 'c-o',
      actor: 'a',
      occurredAt: 't',
    };
    expect(evolve(state, orphan)).toMatchObject({ transition: null, version: 3 });
  });

  it('gives the Given/When/Then helper the same host from past events as from the commands that made them', () => {
    const { events } = run([boot(['nfsd']), register('lp-1'), enable('lp-1')]);
    const fromEvents = given(events, { hostId: 'web-01' });
    expect(fromEvents.state).toStrictEqual(
      given(
        [boot(['nfsd']), register('lp-1'), enable('lp-1')].map((c, i) => ({ ...c, commandId: `c-${i}` })),
        { hostId: 'web-01' },
      ).state,
    );
    fromEvents
      .when(patchComplete('lp-1'))
      .then([{ type: 'TransitionCompleted', payload: { patch: 'lp-1', target: 'patched' } }]);
  });
});
