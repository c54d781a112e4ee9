import type { HostView } from '@klp/contracts';
import { fold } from '../host/evolve';
import { inProcessTarget } from './in-process-target';
import { formatFailure, formatSummary, runScenario, shown } from './run-scenario';
import { parseScenario, type Scenario } from './scenario';
import type { ScenarioCommand, ScenarioTarget } from './target';

function scenario(raw: unknown): Scenario {
  const parsed = parseScenario(raw);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.scenario;
}

const boot = (hostId: string, extra: object = {}) => ({
  do: { hostId, type: 'HostBooted', payload: { kernelRelease: '4.19.0-27-amd64', modules: [] }, ...extra },
  expect: 'ok',
});
const registerLp1 = {
  do: {
    hostId: 'h1',
    type: 'RegisterPatch',
    payload: { name: 'lp-1', objects: [{ name: 'vmlinux', funcs: [{ name: 'f' }] }] },
  },
  expect: 'ok',
};

describe('runScenario in-process', () => {
  it('passes a scenario whose expectations hold', async () => {
    const file = scenario({
      name: 'boot and register',
      steps: [
        boot('h1'),
        registerLp1,
        { ...registerLp1, expect: 'EEXIST' },
        { view: { h1: { hostId: 'h1', version: 2, stack: ['lp-1'] }, h2: null } },
      ],
    });
    await expect(runScenario(file, inProcessTarget(), { runId: 'r1' })).resolves.toEqual({
      name: 'boot and register',
      passed: true,
      failures: [],
    });
  });

  it('reports every failing step and keeps going', async () => {
    const file = scenario({
      name: 'wrong',
      steps: [
        boot('h1'),
        { ...registerLp1, expect: 'EINVAL' },
        { view: { h1: { version: 9, patches: { 'lp-1': null } } } },
        boot('h1'),
      ],
    });
    const result = await runScenario(file, inProcessTarget(), { runId: 'r1' });
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual([
      { step: 2, problems: [{ at: 'do RegisterPatch on h1', expected: 'EINVAL', got: 'ok' }] },
      {
        step: 3,
        problems: [
          { at: 'h1.version', expected: '9', got: '2' },
          {
            at: 'h1.patches.lp-1',
            expected: 'null',
            got: expect.stringContaining('"enabled":false') as string,
          },
        ],
      },
    ]);
    expect(formatFailure('a.json', result.failures[0])).toBe(
      'a.json: step 2: do RegisterPatch on h1: expected EINVAL, got ok',
    );
    expect(formatSummary(3, 1)).toBe('3 passed, 1 failed');
  });

  it('maps host and command ids to fresh ones per run, and views back to the file’s ids', async () => {
    const sent: ScenarioCommand[] = [];
    const inner = inProcessTarget();
    const spy: ScenarioTarget = {
      send: (command) => {
        sent.push(command);
        return inner.send(command);
      },
      view: (hostId) => inner.view(hostId),
    };
    const file = scenario({
      steps: [
        boot('h1', { commandId: 'c-boot', expectedVersion: 0 }),
        boot('h1', { commandId: 'c-boot' }),
        boot('h2'),
        { view: { h1: { hostId: 'h1', version: 1 } } },
      ],
    });
    const first = await runScenario(file, spy, { runId: 'run-a' });
    const second = await runScenario(file, spy, { runId: 'run-b' });
    expect([first.passed, second.passed]).toEqual([true, true]);
    expect(sent.map((command) => [command.hostId, command.commandId, command.expectedVersion])).toEqual([
      ['h1.run-a', 'c-boot.run-a', 0],
      ['h1.run-a', 'c-boot.run-a', undefined],
      ['h2.run-a', 'run-a.step-3', undefined],
      ['h1.run-b', 'c-boot.run-b', 0],
      ['h1.run-b', 'c-boot.run-b', undefined],
      ['h2.run-b', 'run-b.step-3', undefined],
    ]);
    expect(inner.state('h1.run-b')?.version).toBe(1);
  });

  it('keeps an event log per host that folds to the live state', async () => {
    const target = inProcessTarget({ actor: 'tester', clock: () => '2026-01-01T00:00:00.000Z' });
    await runScenario(
      scenario({ steps: [boot('h1'), registerLp1, { ...registerLp1, expect: 'EEXIST' }] }),
      target,
      { runId: 'r' },
    );
    const events = target.events('h1.r');
    expect(events.map((event) => event.type)).toEqual(['HostBooted', 'PatchRegistered', 'CommandRejected']);
    expect(events[0]).toMatchObject({ actor: 'tester', occurredAt: '2026-01-01T00:00:00.000Z' });
    expect(fold('h1.r', events)).toStrictEqual(target.state('h1.r'));
    expect(target.events('nope')).toEqual([]);
  });

  it('turns a target that throws into a step failure', async () => {
    const broken: ScenarioTarget = {
      send: () => Promise.reject(new Error('HTTP 500 boom')),
      view: () => Promise.reject(new Error('socket hang up')),
    };
    const result = await runScenario(
      scenario({ steps: [boot('h1'), { view: { h1: { version: 1 } } }] }),
      broken,
      { runId: 'r' },
    );
    expect(result.failures).toEqual([
      { step: 1, problems: [{ at: 'do HostBooted on h1', expected: 'ok', got: 'error: HTTP 500 boom' }] },
      { step: 2, problems: [{ at: 'view h1', expected: '{"version":1}', got: 'error: socket hang up' }] },
    ]);
  });

  it('reports a view of an unknown host whose view was expected', async () => {
    const nothing: ScenarioTarget = {
      // A target may reject with anything, not only an Error.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      send: () => Promise.reject('down'),
      view: () => Promise.resolve(null as HostView | null),
    };
    const result = await runScenario(
      scenario({ steps: [boot('h1'), { view: { h1: { version: 1 } } }] }),
      nothing,
      { runId: 'r' },
    );
    expect(result.failures.map((failure) => failure.problems[0].got)).toEqual(['error: down', 'null']);
  });

  it('shows values as JSON, absent ones as absent, long ones cut', () => {
    expect(shown(undefined)).toBe('absent');
    expect(shown({ a: 1 })).toBe('{"a":1}');
    expect(shown('x'.repeat(1000))).toHaveLength(300);
    expect(formatFailure('f', { step: 1, problems: [{ at: '', expected: 'a', got: 'b' }] })).toBe(
      'f: step 1: expected a, got b',
    );
  });
});
