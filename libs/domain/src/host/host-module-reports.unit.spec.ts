import {
  boot,
  coming,
  disable,
  enable,
  force,
  going,
  object,
  patchComplete,
  register,
  vmlinux,
  withId,
} from '../testing/commands';
import { given } from '../testing/given-when-then';

describe('HostBooted', () => {
  describe('it acts', () => {
    it('creates the host with its kernel release and sorted modules', () => {
      given()
        .when(boot(['xfs', 'nfsd'], '5.0.0-1-amd64'))
        .then([{ type: 'HostBooted', payload: { kernelRelease: '5.0.0-1-amd64', modules: ['nfsd', 'xfs'] } }])
        .andView({
          hostId: 'h1',
          version: 1,
          kernelRelease: '5.0.0-1-amd64',
          loadedModules: ['nfsd', 'xfs'],
          transition: null,
          stack: [],
          patches: {},
          funcStacks: {},
        });
    });

    it('a reboot drops every patch, the transition, forced flags and func stacks; the version goes on', () => {
      given([
        boot(['nfsd']),
        register('lp-1', vmlinux('f'), object('nfsd', 'g')),
        enable('lp-1'),
        force('lp-1'),
        disable('lp-1'),
      ])
        .when(boot(['xfs'], '4.19.0-28-amd64'))
        .andView({
          version: 6,
          kernelRelease: '4.19.0-28-amd64',
          loadedModules: ['xfs'],
          transition: null,
          stack: [],
          patches: { 'lp-1': null },
          funcStacks: {},
        });
    });
  });

  describe('it refuses', () => {
    const bad: [string, unknown][] = [
      ['a missing payload', undefined],
      ['no kernelRelease', { modules: [] }],
      ['an empty kernelRelease', { kernelRelease: '', modules: [] }],
      ['a kernelRelease with a space', { kernelRelease: '4.19.0 27', modules: [] }],
      ['a kernelRelease of 65 characters', { kernelRelease: '4'.repeat(65), modules: [] }],
      ['no modules list', { kernelRelease: '4.19.0' }],
      ['vmlinux listed as a module', { kernelRelease: '4.19.0', modules: ['nfsd', 'vmlinux'] }],
      ['a bad module name', { kernelRelease: '4.19.0', modules: ['nfs d'] }],
      ['a module that is not a string', { kernelRelease: '4.19.0', modules: [1] }],
      ['a module listed twice', { kernelRelease: '4.19.0', modules: ['nfsd', 'nfsd'] }],
    ];
    it.each(bad)('EINVAL for %s', (_, payload) => {
      given().when({ type: 'HostBooted', payload }).thenRejects('EINVAL');
    });

    it('a refused first report leaves the host inexistent (view null), as before', () => {
      const when = given()
        .when(boot(['vmlinux']))
        .thenRejects('EINVAL');
      expect(when.after.version).toBe(0);
    });
  });

  describe('it stays quiet', () => {
    it('a repeated boot report is a duplicate even after many commands: the memory survives HostBooted', () => {
      given([withId(boot(), 'c-boot'), register('lp-1'), boot(['nfsd']), enable('lp-1')])
        .when(withId(boot(), 'c-boot'))
        .thenNothingHappens();
    });
  });
});

describe('ModuleComing', () => {
  describe('it acts', () => {
    it('marks the objects that target it loaded, but patches none of a disabled patch (klp_module_coming)', () => {
      given([boot(), register('lp-x', vmlinux('f'), object('nfsd', 'nfsd_dispatch'))])
        .when(coming('nfsd'))
        .then([{ type: 'ModuleLoaded', payload: { module: 'nfsd' } }])
        .andView({
          loadedModules: ['nfsd'],
          funcStacks: { 'nfsd/nfsd_dispatch,1': null },
          patches: { 'lp-x': { objects: { nfsd: { loaded: true, patched: false, state: 'disabled' } } } },
        });
    });

    it('patches the object of every enabled patch, in stack order, so the newest runs ("applying patch to loading module")', () => {
      given([
        boot(),
        register('lp-1', object('nfsd', 'nfsd_dispatch')),
        register('lp-2', object('nfsd', 'nfsd_dispatch')),
        register('lp-3', object('nfsd', 'nfsd_dispatch')),
        enable('lp-1'),
        patchComplete('lp-1'),
        enable('lp-2'),
        patchComplete('lp-2'),
      ])
        .when(coming('nfsd'))
        .andView({
          funcStacks: { 'nfsd/nfsd_dispatch,1': ['lp-2', 'lp-1'] },
          patches: {
            'lp-1': { state: 'patched' },
            'lp-2': { state: 'patched' },
            'lp-3': { state: 'disabled' },
          },
        });
    });

    it('patches the object of the transition patch, in transition ("enabled or in transition")', () => {
      given([
        boot(),
        register('lp-1', object('nfsd', 'nfsd_dispatch')),
        enable('lp-1'),
        patchComplete('lp-1'),
        disable('lp-1'),
      ])
        .when(coming('nfsd'))
        .andView({
          funcStacks: { 'nfsd/nfsd_dispatch,1': ['lp-1'] },
          patches: {
            'lp-1': {
              state: 'transition',
              objects: {
                nfsd: {
                  patched: true,
                  state: 'transition',
                  funcs: { 'nfsd_dispatch,1': { transition: true, state: 'transition' } },
                },
              },
            },
          },
        });
    });
  });

  describe('it refuses', () => {
    it('EINVAL for vmlinux: the kernel is never a module', () => {
      given([boot()])
        .when(coming('vmlinux'))
        .thenRejects('EINVAL', /vmlinux/);
    });

    it.each([
      ['a bad name', 'nfs d'],
      ['a number', 3],
      ['a name of 56 characters', 'm'.repeat(56)],
    ])('EINVAL for %s', (_, module) => {
      given([boot()]).when(coming(module)).thenRejects('EINVAL');
    });

    it('EEXIST when already loaded (add_unformed_module: -EEXIST)', () => {
      given([boot(['nfsd'])])
        .when(coming('nfsd'))
        .thenRejects('EEXIST');
    });
  });

  describe('it stays quiet', () => {
    it('a repeated load report returns the first acceptance, not EEXIST', () => {
      given([boot(), withId(coming('nfsd'), 'c-mc')])
        .when(withId(coming('nfsd'), 'c-mc'))
        .thenNothingHappens();
    });
  });
});

describe('ModuleGoing', () => {
  const patchedNfsd = [
    boot(['nfsd']),
    register('lp-1', vmlinux('f'), object('nfsd', 'nfsd_dispatch')),
    enable('lp-1'),
    patchComplete('lp-1'),
  ];

  describe('it acts', () => {
    it('unpatches the object of an enabled patch, which stays enabled (klp_cleanup_module_patches_limited)', () => {
      given(patchedNfsd)
        .when(going('nfsd'))
        .then([{ type: 'ModuleUnloaded', payload: { module: 'nfsd' } }])
        .andView({
          loadedModules: [],
          funcStacks: { 'vmlinux/f,1': ['lp-1'], 'nfsd/nfsd_dispatch,1': null },
          patches: {
            'lp-1': {
              enabled: true,
              state: 'enabled',
              objects: { nfsd: { loaded: false, patched: false, state: 'enabled' } },
            },
          },
        });
    });

    it('unpatches the object of the transition patch too', () => {
      given([boot(['nfsd']), register('lp-1', object('nfsd', 'nfsd_dispatch')), enable('lp-1')])
        .when(going('nfsd'))
        .andView({
          funcStacks: {},
          patches: {
            'lp-1': {
              state: 'transition',
              objects: {
                nfsd: {
                  patched: false,
                  state: 'enabled',
                  funcs: { 'nfsd_dispatch,1': { transition: true } },
                },
              },
            },
          },
        });
    });

    it('unloads a module no patch targets', () => {
      given([boot(['xfs'])])
        .when(going('xfs'))
        .andView({ loadedModules: [] });
    });
  });

  describe('it refuses, each check in order', () => {
    it('EINVAL for vmlinux', () => {
      given([boot()]).when(going('vmlinux')).thenRejects('EINVAL');
    });

    it('EINVAL for a bad name, before ENOENT', () => {
      given([boot()]).when(going('a/b')).thenRejects('EINVAL');
    });

    it('ENOENT when not loaded', () => {
      given([boot(['xfs'])])
        .when(going('nfsd'))
        .thenRejects('ENOENT');
    });
  });

  describe('it stays quiet', () => {
    it('a repeated unload report returns the first acceptance, not ENOENT', () => {
      given([...patchedNfsd, withId(going('nfsd'), 'c-mg')])
        .when(withId(going('nfsd'), 'c-mg'))
        .thenNothingHappens();
    });
  });
});
