import { COMMAND_TYPES, type CommandOutcome, type HostEvent, type HostView } from '@klp/contracts';
import fc from 'fast-check';
import {
  boot,
  coming,
  disable,
  enable,
  enableFailed,
  envelope,
  force,
  going,
  object,
  patchComplete,
  progress,
  register,
  unpatchComplete,
  unregister,
  vmlinux,
  type TestCommand,
} from '../testing/commands';
import { decide } from './decide';
import { evolve, fold } from './evolve';
import { initialState, type HostState } from './host.state';
import { view } from './host.view';
import { brokenInvariants } from './invariants';
import { jsonEqual } from '../scenarios/match';

// A few hosts, patches and modules, so that random sequences keep meeting each other.
const HOSTS = ['h1', 'h2'];
const DEFINITIONS: Record<string, unknown[]> = {
  p1: [vmlinux('f'), object('m1', 'f', 'g')],
  p2: [vmlinux('f'), object('m2', 'g')],
  p3: [object('m1', 'f'), { name: 'm2', funcs: [] }],
};
const patch = fc.constantFrom('p1', 'p1', 'p1', 'p2', 'p2', 'p3', 'p9');
const moduleName = fc.constantFrom('m1', 'm2', 'm1', 'm2', 'm3', 'vmlinux', 'bad name');

const command: fc.Arbitrary<TestCommand> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom('p1', 'p1', 'p2', 'p3').map((name) => register(name, ...DEFINITIONS[name])),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ name: patch, objects: fc.anything() })
      .map((payload) => ({ type: 'RegisterPatch', payload })),
  },
  { weight: 6, arbitrary: patch.map(enable) },
  { weight: 5, arbitrary: patch.map(disable) },
  { weight: 2, arbitrary: patch.map(unregister) },
  { weight: 1, arbitrary: patch.map(force) },
  { weight: 6, arbitrary: patch.map(patchComplete) },
  { weight: 4, arbitrary: patch.map(unpatchComplete) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(patch, fc.constantFrom('ENODEV', 'EBUSY', 'bad'))
      .map(([p, errno]) => enableFailed(p, errno)),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        patch,
        fc.oneof(fc.nat(50), fc.constant(-1)),
        fc.option(fc.array(fc.record({ pid: fc.nat(), comm: fc.constantFrom('a', 'b') }), { maxLength: 2 })),
      )
      .map(([p, pending, tasks]) => progress(p, pending, tasks ?? undefined)),
  },
  { weight: 3, arbitrary: moduleName.map(coming) },
  { weight: 3, arbitrary: moduleName.map(going) },
  { weight: 2, arbitrary: fc.subarray(['m1', 'm2', 'm3', 'vmlinux']).map((modules) => boot(modules)) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.oneof(fc.constantFrom(...COMMAND_TYPES), fc.string()),
      payload: fc.anything(),
    }),
  },
);

interface Step {
  readonly command: TestCommand;
  readonly host: string;
  /** null: a fresh commandId; a number: one of a few ids that come back (retries). */
  readonly reuse: number | null;
  /** none, the host's version, or any version (mostly stale). */
  readonly expectedVersion: 'none' | 'current' | number;
}

const step: fc.Arbitrary<Step> = fc.record({
  command,
  host: fc.constantFrom('h1', 'h1', 'h1', 'h2'),
  reuse: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat(4) }),
  expectedVersion: fc.oneof(
    { weight: 12, arbitrary: fc.constant('none' as const) },
    { weight: 2, arbitrary: fc.constant('current' as const) },
    { weight: 1, arbitrary: fc.nat(12) },
  ),
});

/** A valid run-up to two stacked patches, which random steps alone reach too rarely. */
const stackedRunUp: fc.Arbitrary<Step[]> = fc
  .tuple(fc.constantFrom('h1', 'h2'), fc.boolean())
  .map(([host, complete]) =>
    [
      register('p1', ...DEFINITIONS.p1),
      register('p2', ...DEFINITIONS.p2),
      enable('p1'),
      patchComplete('p1'),
      enable('p2'),
      ...(complete ? [patchComplete('p2')] : []),
    ].map((command): Step => ({ command, host, reuse: null, expectedVersion: 'none' })),
  );

const steps: fc.Arbitrary<Step[]> = fc
  .array(
    fc.oneof({ weight: 30, arbitrary: step.map((one) => [one]) }, { weight: 1, arbitrary: stackedRunUp }),
    {
      minLength: 1,
      maxLength: 60,
      size: 'max',
    },
  )
  .map((chunks) => chunks.flat());

/** What the random sequences reached, so that a later test can prove they are not vacuous. */
const reached = new Set<string>();

interface Host {
  state: HostState;
  readonly events: HostEvent[];
  readonly outcomes: Map<string, CommandOutcome>;
  accepted: number;
}

/** Plain checks in the hot loop (Jest's matchers are slow at 50k steps); a failure throws with the why. */
function assert(condition: boolean, why: string, detail?: unknown): asserts condition {
  if (!condition) throw new Error(`${why}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}`);
}

function check(steps: readonly Step[]): void {
  const hosts = new Map<string, Host>(
    HOSTS.map((id) => [id, { state: initialState(id), events: [], outcomes: new Map(), accepted: 0 }]),
  );
  steps.forEach(({ command: cmd, host: hostId, reuse, expectedVersion }, index) => {
    const host = hosts.get(hostId) as Host;
    const commandId = reuse === null ? `s-${index}` : `retry-${reuse}`;
    const before = host.state;
    const expected = expectedVersion === 'current' ? before.version : expectedVersion;
    const sent = envelope(
      { ...cmd, ...(expected === 'none' ? {} : { expectedVersion: expected }) },
      commandId,
      hostId,
    );
    const viewBefore: HostView | null = view(before);
    const decision = decide(sent, before);
    const seen = host.outcomes.get(commandId);

    if (seen) {
      // A repeated commandId returns the first outcome and changes nothing (no events to fold).
      assert(
        jsonEqual(decision, { outcome: 'duplicate', first: seen }),
        'a repeat did not return the first outcome',
        decision,
      );
      reached.add('duplicate');
      return;
    }
    assert(decision.outcome !== 'duplicate', 'a new commandId was taken for a repeat');
    for (const event of decision.events) {
      host.state = evolve(host.state, event);
      host.events.push(event);
      reached.add(
        event.type === 'CommandRejected' ? `${event.payload.commandType}:${event.payload.errno}` : event.type,
      );
    }
    if (decision.outcome === 'accepted') {
      host.accepted += 1;
      assert(
        jsonEqual(
          decision.events.map((event) => event.version),
          [before.version + 1],
        ),
        'accepted events skip a version',
      );
      host.outcomes.set(commandId, { commandId, hostId, status: 'accepted', version: before.version + 1 });
    } else {
      assert(jsonEqual(view(host.state), viewBefore), 'a rejected command changed the view', sent);
      assert(decision.events[0].version === before.version, 'a rejection carries another version');
      const { errno, reason } = decision;
      host.outcomes.set(commandId, {
        commandId,
        hostId,
        status: 'rejected',
        errno,
        reason,
        version: before.version,
      });
    }
    assert(host.state.version === host.accepted, 'the version does not count the accepted commands');
    const after = view(host.state);
    if (after) {
      const broken = brokenInvariants(after);
      assert(broken.length === 0, 'invariants broken', { broken, after: sent });
      if (Object.values(after.funcStacks).some((stack) => stack.length > 1)) reached.add('stacked');
    }
  });

  for (const [hostId, host] of hosts) {
    // Versions are gapless from 1, and fold(events) is the live state, idempotency memory included.
    const versions = host.events
      .filter((event) => event.type !== 'CommandRejected')
      .map((event) => event.version);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    expect(fold(hostId, host.events)).toStrictEqual(host.state);
    expect(JSON.parse(JSON.stringify(host.state))).toStrictEqual(host.state);
  }
}

describe('properties over random sequences of valid and invalid commands', () => {
  it('keep the invariants of DOMAIN.md, refuse without change, repeat first outcomes and fold to the live state', () => {
    fc.assert(fc.property(steps, check), { numRuns: 1000 });
  });

  it('reach every event, every refusal of each command and stacked functions (they are not vacuous)', () => {
    const wanted = [
      ...['HostBooted', 'PatchRegistered', 'PatchEnabled', 'PatchDisabled', 'TransitionReversed'],
      ...['TransitionCompleted', 'TransitionForced', 'PatchEnableFailed', 'TransitionProgressReported'],
      ...['PatchUnregistered', 'ModuleLoaded', 'ModuleUnloaded', 'duplicate', 'stacked'],
      ...['RegisterPatch:EINVAL', 'RegisterPatch:EEXIST', 'RegisterPatch:ESTALE'],
      ...['EnablePatch:ENOENT', 'EnablePatch:EINVAL', 'EnablePatch:EBUSY'],
      ...['DisablePatch:ENOENT', 'DisablePatch:EINVAL', 'DisablePatch:EBUSY'],
      ...['UnregisterPatch:ENOENT', 'UnregisterPatch:EBUSY', 'ForceTransition:EINVAL'],
      ...[
        'HostBooted:EINVAL',
        'ModuleComing:EINVAL',
        'ModuleComing:EEXIST',
        'ModuleGoing:EINVAL',
        'ModuleGoing:ENOENT',
      ],
      ...[
        'PatchComplete:EINVAL',
        'UnpatchComplete:EINVAL',
        'EnableFailed:EINVAL',
        'TransitionProgress:EINVAL',
      ],
    ];
    expect(wanted.filter((what) => !reached.has(what))).toEqual([]);
  });

  it('never throw, whatever JSON arrives as a command', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.oneof(fc.constantFrom(...COMMAND_TYPES), fc.string()),
        fc.anything(),
        (raw, type, payload) => {
          const state = initialState('h1');
          expect(() => decide(raw as never, state)).not.toThrow();
          const decision = decide(envelope({ type, payload }, 'c-1'), state);
          expect(['accepted', 'rejected']).toContain(decision.outcome);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
