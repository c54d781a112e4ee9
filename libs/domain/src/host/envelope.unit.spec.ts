import type { CommandEnvelope } from '@klp/contracts';
import { boot, envelope, register, withEnvelope, withId } from '../testing/commands';
import { given } from '../testing/given-when-then';
import {
  MEMORY_CHUNK,
  MEMORY_CHUNKS,
  REMEMBERED_COMMANDS,
  recall,
  remember,
  type CommandMemory,
} from './command-memory';
import { decide } from './decide';
import { evolve } from './evolve';
import { initialState } from './host.state';

describe('envelope checks, before the command’s own', () => {
  describe('a repeated commandId returns the first outcome and changes nothing', () => {
    it('for an acceptance: the version it moved the host to', () => {
      const when = given([boot(), withId(register('lp-1'), 'c-1'), register('lp-2')])
        .when(withId(register('lp-1'), 'c-1'))
        .thenNothingHappens();
      expect(when.decision).toEqual({
        outcome: 'duplicate',
        first: { commandId: 'c-1', hostId: 'h1', status: 'accepted', version: 2 },
      });
    });

    it('for a rejection: the errno, the reason and the version it was decided against', () => {
      const first = given([boot()]).when(withId({ type: 'EnablePatch', payload: { patch: 'nope' } }, 'c-2'));
      const when = given([
        boot(),
        withId({ type: 'EnablePatch', payload: { patch: 'nope' } }, 'c-2'),
        register('nope'),
      ])
        .when(withId({ type: 'EnablePatch', payload: { patch: 'nope' } }, 'c-2'))
        .thenNothingHappens();
      expect(when.decision).toEqual({
        outcome: 'duplicate',
        first: {
          commandId: 'c-2',
          hostId: 'h1',
          status: 'rejected',
          errno: 'ENOENT',
          reason: first.decision.outcome === 'rejected' ? first.decision.reason : '',
          version: 1,
        },
      });
    });

    it('before expectedVersion: a retry repeats the whole envelope, expectedVersion included', () => {
      given([boot(), withEnvelope(register('lp-1'), { commandId: 'c-1', expectedVersion: 1 })])
        .when(withEnvelope(register('lp-1'), { commandId: 'c-1', expectedVersion: 1 }))
        .thenNothingHappens();
    });

    it('whatever the repeat carries: the first outcome stands', () => {
      given([boot(), withId(register('lp-1'), 'c-1')])
        .when(withId({ type: 'Nonsense' }, 'c-1'))
        .thenNothingHappens();
    });

    it('for a rejection on a host that does not exist yet', () => {
      given([withId(boot(['vmlinux']), 'c-1')])
        .when(withId(boot(), 'c-1'))
        .thenNothingHappens();
    });
  });

  describe('expectedVersion', () => {
    it('is accepted when it equals the host version (0 for a new host)', () => {
      given()
        .when(withEnvelope(boot(), { expectedVersion: 0 }))
        .then([{ type: 'HostBooted', payload: { kernelRelease: '4.19.0-27-amd64', modules: [] } }]);
    });

    it('ESTALE when it differs, before the command’s own checks', () => {
      given([boot()])
        .when(withEnvelope({ type: 'Nonsense' }, { expectedVersion: 0 }))
        .thenRejects('ESTALE', /expected version 0, host is at 1/);
    });

    it('is ignored when null', () => {
      given([boot()])
        .when(withEnvelope(register('lp-1'), { expectedVersion: null }))
        .then([expect.objectContaining({ type: 'PatchRegistered' })]);
    });

    it('EINVAL when it is negative, as the edge schema says', () => {
      given([boot()])
        .when(withEnvelope(register('lp-1'), { expectedVersion: -1 }))
        .thenRejects('EINVAL');
    });

    it('EINVAL when it is not an integer', () => {
      given([boot()])
        .when(withEnvelope(register('lp-1'), { expectedVersion: '1' }))
        .thenRejects('EINVAL', /expectedVersion/);
    });
  });

  describe('a malformed envelope is EINVAL, never an exception', () => {
    it('an unknown command type', () => {
      given([boot()])
        .when({ type: 'RebootHost', payload: {} })
        .thenRejects('EINVAL', /unknown command type/);
    });

    it('a type that only exists on Object.prototype', () => {
      given([boot()])
        .when({ type: 'toString', payload: {} })
        .thenRejects('EINVAL', /unknown command type/);
    });

    it('a command for another host', () => {
      given([boot()])
        .when({ ...register('lp-1'), hostId: 'h2' })
        .thenRejects('EINVAL', /sent to host h1/);
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['a number', 5],
    ])('a commandId %s: rejected, and nothing remembered', (_, commandId) => {
      const state = given([boot()]).state;
      const decision = decide(
        { ...envelope(register('lp-1'), 'x'), commandId } as unknown as CommandEnvelope,
        state,
      );
      expect(decision).toMatchObject({ outcome: 'rejected', errno: 'EINVAL' });
      if (decision.outcome !== 'rejected') return;
      expect(decision.events[0].commandId).toBe('');
      expect(evolve(state, decision.events[0])).toBe(state);
    });

    it.each([null, 'text', 42, []])('a command that is %p', (command) => {
      expect(decide(command as unknown as CommandEnvelope, initialState('h1'))).toMatchObject({
        outcome: 'rejected',
        errno: 'EINVAL',
      });
    });
  });

  describe('events copy the envelope (STYLE.md 6: time, ids and actor come in the command)', () => {
    it('correlationId defaults to the commandId and is kept when given', () => {
      given([boot()])
        .when(withEnvelope(register('lp-1'), { correlationId: 'rollout-7' }))
        .then([expect.anything()]);
      const decision = decide(envelope(register('lp-1'), 'c-9'), given([boot()]).state);
      expect(decision).toMatchObject({
        events: [
          { correlationId: 'c-9', actor: 'ops@test', occurredAt: '2026-11-27T10:00:00.000Z', version: 2 },
        ],
      });
    });

    it('a non-string actor or issuedAt is copied as an empty string rather than invented', () => {
      const decision = decide(
        { ...envelope(boot(), 'c-1'), actor: 3, issuedAt: undefined } as unknown as CommandEnvelope,
        initialState('h1'),
      );
      expect(decision).toMatchObject({ events: [{ actor: '', occurredAt: '' }] });
    });
  });
});

describe('the idempotency memory', () => {
  function memoryOf(count: number): CommandMemory {
    let memory: CommandMemory = [];
    for (let i = 0; i < count; i++) memory = remember(memory, [`c-${i}`, i + 1]);
    return memory;
  }

  it(`remembers at least the last ${REMEMBERED_COMMANDS} commands of a host`, () => {
    for (const count of [1, 99, 100, 101, 1000, 1099, 1100, 1101, 5000]) {
      const memory = memoryOf(count);
      const oldestKept = Math.max(0, count - REMEMBERED_COMMANDS);
      expect(recall(memory, `c-${oldestKept}`)).toEqual([`c-${oldestKept}`, oldestKept + 1]);
      expect(recall(memory, `c-${count - 1}`)).toEqual([`c-${count - 1}`, count]);
    }
  });

  it('is bounded: it forgets the oldest chunk once full', () => {
    const memory = memoryOf(5000);
    expect(memory.length).toBeLessThanOrEqual(MEMORY_CHUNKS);
    expect(memory.flat().length).toBeLessThanOrEqual(MEMORY_CHUNK * MEMORY_CHUNKS);
    expect(recall(memory, 'c-0')).toBeUndefined();
    expect(recall(memory, 'c-3000')).toBeUndefined();
  });

  it('shares full chunks between states and copies only the newest', () => {
    const before = memoryOf(250);
    const after = remember(before, ['next', 251]);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toBe(before[1]);
    expect(after[2]).not.toBe(before[2]);
    expect(before[2]).toHaveLength(50);
  });

  it('finds the same entries after a JSON round trip (the snapshot is plain data)', () => {
    const memory = memoryOf(1234);
    const restored = JSON.parse(JSON.stringify(memory)) as CommandMemory;
    expect(restored).toEqual(memory);
    for (const id of ['c-234', 'c-700', 'c-1233', 'c-1'])
      expect(recall(restored, id)).toEqual(recall(memory, id));
  });

  it('decides a duplicate after 1,000 other commands on the host', () => {
    const history = [
      withId(boot(), 'c-first'),
      ...Array.from({ length: 1000 }, (_, i) => ({ type: 'Nonsense', commandId: `x-${i}` })),
    ];
    given(history).when(withId(boot(), 'c-first')).thenNothingHappens();
  });
});
