import type { HostEvent, HostView } from '@klp/contracts';
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
import { decide } from '../host/decide';
import { evolve } from '../host/evolve';
import { initialState, type HostState } from '../host/host.state';
import { view } from '../host/host.view';
import { auditChanges } from './audit-changes';

function views(commands: readonly TestCommand[]): (HostView | null)[] {
  let state: HostState = initialState('h1');
  const result: (HostView | null)[] = [view(state)];
  commands.forEach((command, i) => {
    const decision = decide(envelope(command, `c-${i}`), state);
    if (decision.outcome === 'duplicate') return;
    state = decision.events.reduce((s: HostState, e: HostEvent) => evolve(s, e), state);
    result.push(view(state));
  });
  return result;
}

describe('auditChanges', () => {
  it('lists nothing between equal views', () => {
    const [, booted] = views([boot()]);
    expect(auditChanges(booted, booted)).toEqual([]);
    expect(auditChanges(null, null)).toEqual([]);
  });

  it('records a host coming into existence', () => {
    const [before, after] = views([boot(['nfsd'])]);
    expect(auditChanges(before, after)).toEqual([
      { entity: { kind: 'host' }, attribute: 'exists', from: false, to: true },
      { entity: { kind: 'host' }, attribute: 'kernelRelease', from: null, to: '4.19.0-27-amd64' },
      { entity: { kind: 'host' }, attribute: 'stack', from: null, to: [] },
      { entity: { kind: 'module', object: 'nfsd' }, attribute: 'loaded', from: false, to: true },
    ]);
  });

  it('records a registration as the patch, its objects and functions coming into existence', () => {
    const [, before, after] = views([boot(), register('lp-1', vmlinux('f'))]);
    expect(auditChanges(before, after)).toEqual([
      { entity: { kind: 'host' }, attribute: 'stack', from: [], to: ['lp-1'] },
      { entity: { kind: 'patch', patch: 'lp-1' }, attribute: 'registered', from: false, to: true },
      { entity: { kind: 'patch', patch: 'lp-1' }, attribute: 'enabled', from: null, to: false },
      { entity: { kind: 'patch', patch: 'lp-1' }, attribute: 'forced', from: null, to: false },
      { entity: { kind: 'patch', patch: 'lp-1' }, attribute: 'state', from: null, to: 'disabled' },
      {
        entity: { kind: 'object', patch: 'lp-1', object: 'vmlinux' },
        attribute: 'loaded',
        from: null,
        to: true,
      },
      {
        entity: { kind: 'object', patch: 'lp-1', object: 'vmlinux' },
        attribute: 'patched',
        from: null,
        to: false,
      },
      {
        entity: { kind: 'object', patch: 'lp-1', object: 'vmlinux' },
        attribute: 'state',
        from: null,
        to: 'disabled',
      },
      {
        entity: { kind: 'function', patch: 'lp-1', object: 'vmlinux', func: 'f,1' },
        attribute: 'patched',
        from: null,
        to: false,
      },
      {
        entity: { kind: 'function', patch: 'lp-1', object: 'vmlinux', func: 'f,1' },
        attribute: 'transition',
        from: null,
        to: false,
      },
      {
        entity: { kind: 'function', patch: 'lp-1', object: 'vmlinux', func: 'f,1' },
        attribute: 'state',
        from: null,
        to: 'disabled',
      },
    ]);
  });

  it('records an enable: flags, derived states, the transition and the func stack', () => {
    const [, , before, after] = views([boot(), register('lp-1', vmlinux('f')), enable('lp-1')]);
    expect(auditChanges(before, after)).toEqual([
      { entity: { kind: 'transition' }, attribute: 'patch', from: null, to: 'lp-1' },
      { entity: { kind: 'transition' }, attribute: 'target', from: null, to: 'patched' },
      { entity: { kind: 'transition' }, attribute: 'blockingTasks', from: null, to: [] },
      { entity: { kind: 'patch', patch: 'lp-1' }, attribute: 'enabled', from: false, to: true },
      { entity: { kind: 'patch', patch: 'lp-1' }, attribute: 'state', from: 'disabled', to: 'transition' },
      {
        entity: { kind: 'object', patch: 'lp-1', object: 'vmlinux' },
        attribute: 'patched',
        from: false,
        to: true,
      },
      {
        entity: { kind: 'object', patch: 'lp-1', object: 'vmlinux' },
        attribute: 'state',
        from: 'disabled',
        to: 'transition',
      },
      {
        entity: { kind: 'function', patch: 'lp-1', object: 'vmlinux', func: 'f,1' },
        attribute: 'patched',
        from: false,
        to: true,
      },
      {
        entity: { kind: 'function', patch: 'lp-1', object: 'vmlinux', func: 'f,1' },
        attribute: 'transition',
        from: false,
        to: true,
      },
      {
        entity: { kind: 'function', patch: 'lp-1', object: 'vmlinux', func: 'f,1' },
        attribute: 'state',
        from: 'disabled',
        to: 'transition',
      },
      {
        entity: { kind: 'funcStack', object: 'vmlinux', func: 'f,1' },
        attribute: 'patches',
        from: [],
        to: ['lp-1'],
      },
    ]);
  });

  it('records progress and the order of a func stack', () => {
    const all = views([
      boot(['nfsd']),
      register('lp-1', object('nfsd', 'g')),
      register('lp-2', object('nfsd', 'g')),
      enable('lp-1'),
      patchComplete('lp-1'),
      enable('lp-2'),
      progress('lp-2', 2, [{ pid: 1, comm: 'a' }]),
    ]);
    expect(auditChanges(all[5], all[6])).toContainEqual({
      entity: { kind: 'funcStack', object: 'nfsd', func: 'g,1' },
      attribute: 'patches',
      from: ['lp-1'],
      to: ['lp-2', 'lp-1'],
    });
    expect(auditChanges(all[6], all[7])).toEqual([
      { entity: { kind: 'transition' }, attribute: 'pendingTasks', from: null, to: 2 },
      { entity: { kind: 'transition' }, attribute: 'blockingTasks', from: [], to: [{ pid: 1, comm: 'a' }] },
    ]);
  });

  it('records a reboot as every patch going away, in stack order, and modules unloading', () => {
    const all = views([
      boot(['nfsd']),
      register('lp-1'),
      register('lp-2'),
      enable('lp-1'),
      coming('xfs'),
      disable('lp-1'),
      boot([], '5.0.0'),
    ]);
    const changes = auditChanges(all[6], all[7]);
    expect(changes.filter((change) => change.attribute === 'registered')).toEqual([
      { entity: { kind: 'patch', patch: 'lp-1' }, attribute: 'registered', from: true, to: false },
      { entity: { kind: 'patch', patch: 'lp-2' }, attribute: 'registered', from: true, to: false },
    ]);
    expect(
      changes.filter((change) => change.entity.kind === 'module').map((change) => change.entity.object),
    ).toEqual(['nfsd', 'xfs']);
    expect(changes[0]).toEqual({
      entity: { kind: 'host' },
      attribute: 'kernelRelease',
      from: '4.19.0-27-amd64',
      to: '5.0.0',
    });
  });

  it('is deterministic: the same views give the same list', () => {
    const all = views([boot(['nfsd']), register('lp-1', object('nfsd', 'g'), vmlinux('f')), enable('lp-1')]);
    expect(auditChanges(all[2], all[3])).toEqual(auditChanges(all[2], all[3]));
    expect(auditChanges(all[3], null)).toContainEqual({
      entity: { kind: 'host' },
      attribute: 'exists',
      from: true,
      to: false,
    });
  });
});
