import {
  boot,
  coming,
  disable,
  enable,
  force,
  object,
  patchComplete,
  register,
  unregister,
  unpatchComplete,
  vmlinux,
  withId,
} from '../testing/commands';
import { given } from '../testing/given-when-then';

describe('RegisterPatch', () => {
  describe('it acts', () => {
    it('appends a patch to the stack, disabled, with objects loaded where their module is (klp_register_patch: list_add_tail)', () => {
      given([boot(['nfsd']), register('lp-1')])
        .when(
          register(
            'lp-2',
            vmlinux('cmdline_proc_show'),
            object('nfsd', 'nfsd_dispatch'),
            object('xfs', 'xfs_iget'),
          ),
        )
        .then([
          {
            type: 'PatchRegistered',
            payload: {
              patch: 'lp-2',
              objects: [
                { name: 'vmlinux', funcs: [{ name: 'cmdline_proc_show', sympos: 0 }] },
                { name: 'nfsd', funcs: [{ name: 'nfsd_dispatch', sympos: 0 }] },
                { name: 'xfs', funcs: [{ name: 'xfs_iget', sympos: 0 }] },
              ],
            },
          },
        ])
        .andView({
          version: 3,
          stack: ['lp-1', 'lp-2'],
          funcStacks: {},
          patches: {
            'lp-2': {
              enabled: false,
              forced: false,
              state: 'disabled',
              objects: {
                vmlinux: { loaded: true, patched: false, state: 'disabled' },
                nfsd: { loaded: true, patched: false, state: 'disabled' },
                xfs: {
                  loaded: false,
                  patched: false,
                  state: 'disabled',
                  funcs: { 'xfs_iget,1': { patched: false } },
                },
              },
            },
          },
        });
    });

    it('accepts an object with an empty funcs list: it carries only callbacks (klp_init_object)', () => {
      given([boot()])
        .when(register('lp-cb', { name: 'vmlinux', funcs: [] }))
        .then([
          { type: 'PatchRegistered', payload: { patch: 'lp-cb', objects: [{ name: 'vmlinux', funcs: [] }] } },
        ]);
    });

    it('keys functions by sysfs name <name>,<sympos>, a sympos of 0 or absent written 1 (klp_init_func)', () => {
      given([boot()])
        .when(
          register('lp-1', {
            name: 'vmlinux',
            funcs: [
              { name: 'show_stat', sympos: 2 },
              { name: 'foo.isra.0', sympos: 0 },
            ],
          }),
        )
        .andView({
          patches: { 'lp-1': { objects: { vmlinux: { funcs: { 'show_stat,2': {}, 'foo.isra.0,1': {} } } } } },
        });
    });

    it('creates the host when it is the first accepted command', () => {
      given()
        .when(register('lp-1'))
        .andView({ version: 1, kernelRelease: null, loadedModules: [], stack: ['lp-1'] });
    });

    it('drops unknown fields of the payload', () => {
      const when = given([boot()]).when({
        type: 'RegisterPatch',
        payload: {
          name: 'lp-1',
          extra: 1,
          objects: [{ name: 'vmlinux', x: 2, funcs: [{ name: 'f', y: 3 }] }],
        },
      });
      when.then([
        {
          type: 'PatchRegistered',
          payload: { patch: 'lp-1', objects: [{ name: 'vmlinux', funcs: [{ name: 'f', sympos: 0 }] }] },
        },
      ]);
    });
  });

  describe('it refuses', () => {
    const bad: [string, unknown][] = [
      ['a missing payload', undefined],
      ['a payload that is not an object', [1, 2]],
      ['an empty name', { name: '', objects: [vmlinux('f')] }],
      ['a name with a space', { name: 'lp 1', objects: [vmlinux('f')] }],
      ['a name with a slash', { name: 'lp/1', objects: [vmlinux('f')] }],
      ['a name of 56 characters', { name: 'x'.repeat(56), objects: [vmlinux('f')] }],
      ['a name that is a number', { name: 7, objects: [vmlinux('f')] }],
      ['no objects', { name: 'lp-1', objects: [] }],
      ['objects that are not a list', { name: 'lp-1', objects: 'vmlinux' }],
      ['an object that is not an object', { name: 'lp-1', objects: ['vmlinux'] }],
      ['an object with a bad name', { name: 'lp-1', objects: [{ name: 'a b', funcs: [] }] }],
      ['an object without a funcs list', { name: 'lp-1', objects: [{ name: 'vmlinux' }] }],
      ['an object whose funcs is not a list', { name: 'lp-1', objects: [{ name: 'vmlinux', funcs: {} }] }],
      ['a duplicate object', { name: 'lp-1', objects: [vmlinux('f'), vmlinux('g')] }],
      ['a function that is not an object', { name: 'lp-1', objects: [{ name: 'vmlinux', funcs: ['f'] }] }],
      ['a bad function name', { name: 'lp-1', objects: [{ name: 'vmlinux', funcs: [{ name: 'f-g' }] }] }],
      ['a function name of 128 characters', { name: 'lp-1', objects: [vmlinux('f'.repeat(128))] }],
      [
        'a negative sympos',
        { name: 'lp-1', objects: [{ name: 'vmlinux', funcs: [{ name: 'f', sympos: -1 }] }] },
      ],
      [
        'a fractional sympos',
        { name: 'lp-1', objects: [{ name: 'vmlinux', funcs: [{ name: 'f', sympos: 1.5 }] }] },
      ],
      [
        'a null sympos',
        { name: 'lp-1', objects: [{ name: 'vmlinux', funcs: [{ name: 'f', sympos: null }] }] },
      ],
      ['a duplicate function', { name: 'lp-1', objects: [vmlinux('f', 'g', 'f')] }],
      [
        'a duplicate through sympos 0 and 1',
        {
          name: 'lp-1',
          objects: [
            {
              name: 'vmlinux',
              funcs: [
                { name: 'f', sympos: 0 },
                { name: 'f', sympos: 1 },
              ],
            },
          ],
        },
      ],
    ];
    it.each(bad)(
      'EINVAL for %s (klp_init_patch, klp_init_object, klp_init_func; DOMAIN.md names)',
      (_, payload) => {
        given([boot()]).when({ type: 'RegisterPatch', payload }).thenRejects('EINVAL');
      },
    );

    it('EEXIST when a patch of that name is registered', () => {
      given([boot(), register('lp-1')])
        .when(register('lp-1', vmlinux('other')))
        .thenRejects('EEXIST', /already registered/);
    });

    it('EINVAL comes before EEXIST: a malformed re-registration is EINVAL', () => {
      given([boot(), register('lp-1')])
        .when({ type: 'RegisterPatch', payload: { name: 'lp-1', objects: [] } })
        .thenRejects('EINVAL');
    });
  });

  describe('it stays quiet', () => {
    it('returns the first outcome for a repeated commandId, even after the patch was enabled', () => {
      given([boot(), withId(register('lp-1'), 'c-reg'), enable('lp-1')])
        .when(withId(register('lp-1'), 'c-reg'))
        .thenNothingHappens();
    });
  });
});

describe('UnregisterPatch', () => {
  describe('it acts', () => {
    it('removes a disabled patch with its objects and functions (klp_unregister_patch)', () => {
      given([boot(), register('lp-1'), register('lp-2')])
        .when(unregister('lp-1'))
        .then([{ type: 'PatchUnregistered', payload: { patch: 'lp-1' } }])
        .andView({ stack: ['lp-2'], patches: { 'lp-1': null } });
    });

    it('removes a patch that went back to disabled after UnpatchComplete', () => {
      given([
        boot(),
        register('lp-1'),
        enable('lp-1'),
        patchComplete('lp-1'),
        disable('lp-1'),
        unpatchComplete('lp-1'),
      ])
        .when(unregister('lp-1'))
        .then([{ type: 'PatchUnregistered', payload: { patch: 'lp-1' } }]);
    });
  });

  describe('it refuses', () => {
    it('ENOENT for an unknown patch (a service rule: the kernel cannot name one)', () => {
      given([boot()]).when(unregister('nope')).thenRejects('ENOENT');
    });

    it('EINVAL for a patch reference that is not a string', () => {
      given([boot(), register('lp-1')])
        .when(unregister(1))
        .thenRejects('EINVAL');
    });

    it('EBUSY while enabled (klp_unregister_patch: -EBUSY)', () => {
      given([boot(), register('lp-1'), enable('lp-1'), patchComplete('lp-1')])
        .when(unregister('lp-1'))
        .thenRejects('EBUSY', /enabled/);
    });

    it('EBUSY for the enabled patch of a running patching transition', () => {
      given([boot(), register('lp-1'), enable('lp-1')])
        .when(unregister('lp-1'))
        .thenRejects('EBUSY', /enabled/);
    });

    it('EBUSY while in an unpatching transition (the module reference is held until it completes)', () => {
      given([boot(), register('lp-1'), enable('lp-1'), patchComplete('lp-1'), disable('lp-1')])
        .when(unregister('lp-1'))
        .thenRejects('EBUSY', /in transition/);
    });

    it('EBUSY once forced, until the host reboots (4.15-5.0: module_put skipped after a forced transition)', () => {
      given([
        boot(),
        register('lp-1'),
        enable('lp-1'),
        force('lp-1'),
        disable('lp-1'),
        unpatchComplete('lp-1'),
      ])
        .when(unregister('lp-1'))
        .thenRejects('EBUSY', /forced/);
    });

    it('the forced flag does not outlive HostBooted: the re-registered patch unregisters', () => {
      given([boot(), register('lp-1'), enable('lp-1'), force('lp-1'), boot(), register('lp-1')])
        .when(unregister('lp-1'))
        .then([{ type: 'PatchUnregistered', payload: { patch: 'lp-1' } }]);
    });
  });

  describe('it stays quiet', () => {
    it('a repeated unregister returns the first acceptance, not ENOENT', () => {
      given([boot(), register('lp-1'), coming('nfsd'), withId(unregister('lp-1'), 'c-unreg')])
        .when(withId(unregister('lp-1'), 'c-unreg'))
        .thenNothingHappens();
    });
  });
});
