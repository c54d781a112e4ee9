import type { CommandEnvelope, HostEvent } from '@klp/contracts';
import { decide, evolve, initialState, type HostState } from '@klp/domain';
import { diffHostRows, emptyChanges, hostRows } from './host-rows';
import { projectEvent, unknownHost, type ProjectedHost } from './projected-host';
import { HOSTS, HOST_FUNCS, HOST_OBJECTS, HOST_PATCHES } from './tables';

/** Decides commands on host h1, one second apart, and answers the events they made. */
function history(...commands: [type: string, payload: unknown][]): HostEvent[] {
  let state: HostState = initialState('h1');
  const events: HostEvent[] = [];
  commands.forEach(([type, payload], i) => {
    const command = {
      type,
      payload,
      hostId: 'h1',
      commandId: `c${i}`,
      actor: 'ops',
      issuedAt: new Date(Date.UTC(2026, 10, 27, 10, 0, i)).toISOString(),
    } as unknown as CommandEnvelope;
    const decision = decide(command, state);
    if (decision.outcome !== 'accepted') throw new Error(`${type} was ${decision.outcome}`);
    for (const event of decision.events) state = evolve(state, event);
    events.push(...decision.events);
  });
  return events;
}

function project(events: readonly HostEvent[], from: ProjectedHost = unknownHost('h1', 0)): ProjectedHost {
  return events.reduce((host, event) => {
    const step = projectEvent(host, event);
    if (!step.ok) throw new Error(step.error);
    return step.value;
  }, from);
}

const boot: [string, unknown] = ['HostBooted', { kernelRelease: '4.19.0-27-amd64', modules: ['nfsd'] }];
const register = (name: string, ...objects: string[]): [string, unknown] => [
  'RegisterPatch',
  {
    name,
    objects: objects.map((object) => ({ name: object, funcs: [{ name: 'f' }, { name: 'g', sympos: 2 }] })),
  },
];
const at = (second: number) => new Date(Date.UTC(2026, 10, 27, 10, 0, second)).toISOString();

describe('a projected host', () => {
  it('dates its transition from when it started, through progress reports and a reversal, until it ends', () => {
    const events = history(
      boot,
      register('p1', 'vmlinux'),
      ['EnablePatch', { patch: 'p1' }],
      ['TransitionProgress', { patch: 'p1', pendingTasks: 3 }],
      ['DisablePatch', { patch: 'p1' }],
      ['UnpatchComplete', { patch: 'p1' }],
      ['EnablePatch', { patch: 'p1' }],
    );
    const since = events.map((_, i) => project(events.slice(0, i + 1)).transitionSince);
    expect(since).toEqual([null, null, at(2), at(2), at(2), null, at(6)]);
    expect(project(events)).toMatchObject({ createdAt: at(0), updatedAt: at(6) });
  });

  it('refuses an event that does not follow the host version, or registers a patch twice', () => {
    const events = history(boot, register('p1', 'vmlinux'));
    const host = project(events.slice(0, 1));
    expect(projectEvent(host, { ...events[1], version: 5 })).toEqual({
      ok: false,
      error: expect.stringMatching(/version 5/),
    });
    expect(projectEvent(project(events), { ...events[1], version: 3 })).toEqual({
      ok: false,
      error: 'patch p1 is already registered',
    });
  });
});

describe('the rows of a host', () => {
  it('number patches, objects and functions in registration order and key functions like sysfs', () => {
    const rows = hostRows(
      project(history(boot, register('p1', 'nfsd', 'vmlinux'), register('p2', 'vmlinux'))),
    );
    expect([...rows.patches.values()].map((row) => row.slice(1, 3))).toEqual([
      ['p1', 0],
      ['p2', 1],
    ]);
    expect([...rows.objects.values()].filter((row) => row[1] === 'p1').map((row) => row.slice(2, 4))).toEqual(
      [
        ['nfsd', 0],
        ['vmlinux', 1],
      ],
    );
    expect([...rows.funcs.values()].filter((row) => row[1] === 'p2').map((row) => row.slice(3, 5))).toEqual([
      ['f,1', 0],
      ['g,2', 1],
    ]);
  });

  it('are none for a host that never accepted a command', () => {
    expect(hostRows(unknownHost('h1', 0))).toEqual({
      host: null,
      patches: new Map(),
      objects: new Map(),
      funcs: new Map(),
    });
  });

  it('change only where the view changed: a module coming patches one object and its functions', () => {
    const events = history(
      boot,
      register('p1', 'vmlinux', 'kvm'),
      ['EnablePatch', { patch: 'p1' }],
      ['ModuleComing', { module: 'kvm' }],
    );
    const changes = emptyChanges();
    diffHostRows(hostRows(project(events.slice(0, 3))), hostRows(project(events)), changes);
    // p1 is the transition patch before and after: its own row stays as it is.
    expect([...changes.upserts.keys()]).toEqual([HOSTS, HOST_OBJECTS, HOST_FUNCS]);
    expect(changes.upserts.get(HOST_OBJECTS)?.map((row) => row[2])).toEqual(['kvm']);
    expect(changes.upserts.get(HOST_FUNCS)).toHaveLength(2);
    expect(changes.deletes.size).toBe(0);
  });

  it('delete a removed patch by its key alone (the rest cascades), and what a re-registration dropped', () => {
    const events = history(
      boot,
      register('p1', 'vmlinux', 'nfsd'),
      register('p2', 'vmlinux'),
      ['UnregisterPatch', { patch: 'p1' }],
      register('p1', 'vmlinux'),
      ['UnregisterPatch', { patch: 'p2' }],
    );
    const changes = emptyChanges();
    diffHostRows(hostRows(project(events.slice(0, 3))), hostRows(project(events)), changes);
    expect(changes.deletes.get(HOST_PATCHES)).toEqual([['h1', 'p2']]);
    expect(changes.deletes.get(HOST_OBJECTS)).toEqual([['h1', 'p1', 'nfsd']]);
    expect(changes.deletes.get(HOST_FUNCS)).toBeUndefined();
  });
});
