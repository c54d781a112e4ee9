import {
  boot,
  disable,
  enable,
  enableFailed,
  patchComplete,
  progress,
  register,
  withId,
} from '../testing/commands';
import { given } from '../testing/given-when-then';

// The reports that end a patching transition early (EnableFailed) or describe it (TransitionProgress).

const patching = [boot(['nfsd']), register('lp-1'), enable('lp-1')];
const unpatching = [...patching, patchComplete('lp-1'), disable('lp-1')];

describe('EnableFailed', () => {
  describe('it acts', () => {
    it('cancels the transition: unpatched, no transition, not enabled (klp_cancel_transition)', () => {
      given(patching)
        .when(enableFailed('lp-1', 'ENODEV'))
        .then([{ type: 'PatchEnableFailed', payload: { patch: 'lp-1', errno: 'ENODEV' } }])
        .andView({
          transition: null,
          funcStacks: {},
          patches: { 'lp-1': { enabled: false, forced: false, state: 'disabled' } },
        });
    });
  });

  describe('it refuses, each check in order', () => {
    it('EINVAL when the patch is not the transition patch', () => {
      given([...patching, register('lp-2')])
        .when(enableFailed('lp-2'))
        .thenRejects('EINVAL', /not in transition/);
    });

    it('EINVAL when the transition heads to unpatched', () => {
      given(unpatching)
        .when(enableFailed('lp-1'))
        .thenRejects('EINVAL', /heads to unpatched/);
    });

    it('EINVAL once a progress report came: the transition started to run', () => {
      given([...patching, progress('lp-1', 2)])
        .when(enableFailed('lp-1'))
        .thenRejects('EINVAL', /under way/);
    });

    it('EINVAL after a reverse and back, though no progress was reported', () => {
      given([...patching, disable('lp-1'), enable('lp-1')])
        .when(enableFailed('lp-1'))
        .thenRejects('EINVAL', /under way/);
    });

    it.each([
      ['missing', undefined],
      ['not an errno name', 'nodev'],
      ['a number', 19],
    ])('EINVAL for an errno %s', (_, errno) => {
      given(patching)
        .when({ type: 'EnableFailed', payload: { patch: 'lp-1', errno } })
        .thenRejects('EINVAL', /errno/);
    });
  });

  describe('it stays quiet', () => {
    it('a repeated failure report returns the first acceptance', () => {
      given([...patching, withId(enableFailed('lp-1'), 'c-ef')])
        .when(withId(enableFailed('lp-1'), 'c-ef'))
        .thenNothingHappens();
    });
  });
});

describe('TransitionProgress', () => {
  const tasks = [
    { pid: 812, comm: 'nfsd', function: 'nfsd_dispatch' },
    { pid: 9, comm: 'kworker/0:1' },
  ];

  describe('it acts', () => {
    it('records pending and blocking tasks on the transition (klp_try_complete_transition keeps failing)', () => {
      given(patching)
        .when(progress('lp-1', 4, tasks))
        .then([
          {
            type: 'TransitionProgressReported',
            payload: { patch: 'lp-1', pendingTasks: 4, blockingTasks: tasks },
          },
        ])
        .andView({ transition: { patch: 'lp-1', target: 'patched', pendingTasks: 4, blockingTasks: tasks } });
    });

    it('takes a missing blockingTasks as [] and drops unknown fields of a task', () => {
      given(unpatching)
        .when(progress('lp-1', 0, [{ pid: 1, comm: 'x', extra: true }]))
        .andView({
          transition: { target: 'unpatched', pendingTasks: 0, blockingTasks: [{ pid: 1, comm: 'x' }] },
        });
      given(unpatching)
        .when(progress('lp-1', 1))
        .andView({ transition: { pendingTasks: 1, blockingTasks: [] } });
    });
  });

  describe('it refuses', () => {
    it('EINVAL unless it is the transition patch', () => {
      given([...patching, patchComplete('lp-1')])
        .when(progress('lp-1', 0))
        .thenRejects('EINVAL', /not in transition/);
    });

    const bad: [string, unknown, unknown][] = [
      ['a negative pendingTasks', -1, []],
      ['a missing pendingTasks', undefined, []],
      ['a pendingTasks string', '3', []],
      ['blockingTasks not a list', 1, {}],
      ['a task without pid', 1, [{ comm: 'x' }]],
      ['a task that is not an object', 1, [7]],
      ['a task with a function that is a number', 1, [{ pid: 1, comm: 'x', function: 3 }]],
      ['a task with a comm of 65 characters', 1, [{ pid: 1, comm: 'x'.repeat(65) }]],
      ['a task with a function of 257 characters', 1, [{ pid: 1, comm: 'x', function: 'f'.repeat(257) }]],
      ['a pid beyond 32 bits', 1, [{ pid: 2 ** 31, comm: 'x' }]],
      ['a pendingTasks beyond 32 bits', 2 ** 31, []],
    ];
    it.each(bad)('EINVAL for %s', (_, pendingTasks, blockingTasks) => {
      given(patching)
        .when({ type: 'TransitionProgress', payload: { patch: 'lp-1', pendingTasks, blockingTasks } })
        .thenRejects('EINVAL');
    });
  });

  describe('it stays quiet', () => {
    it('a repeated report returns the first acceptance', () => {
      given([...patching, withId(progress('lp-1', 3), 'c-p')])
        .when(withId(progress('lp-1', 3), 'c-p'))
        .thenNothingHappens();
    });
  });
});
