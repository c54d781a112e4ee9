import type { DerivedState } from '@klp/contracts';
import { DEMO_PATCHES, hostId, simulatedFleet } from './fleet';
import { SimOperator, type FleetSnapshot } from './operator';
import { createPrng } from './prng';

const hosts = Array.from({ length: 100 }, (_, index) => hostId(index));
const [first, second] = DEMO_PATCHES.map((patch) => patch.name);
const wave = 10_000;

function snapshot(states: Record<string, Record<string, DerivedState>>, busy: string[] = []): FleetSnapshot {
  return {
    states: new Map(
      Object.entries(states).map(([patch, byHost]) => [patch, new Map(Object.entries(byHost))]),
    ),
    busy: new Set(busy),
    stalled: [],
  };
}
const everywhere = (state: DerivedState) => Object.fromEntries(hosts.map((host) => [host, state]));

describe('the operator script', () => {
  const operator = () => new SimOperator(hosts, 1, { patches: DEMO_PATCHES, waveSeconds: 10 }, 0);

  it('registers the first patch everywhere before anything else', () => {
    const commands = operator().reconcile(snapshot({}), 0);
    expect(commands).toHaveLength(100);
    expect(commands.every((command) => command.type === 'RegisterPatch')).toBe(true);
    expect(commands[0].payload).toEqual(DEMO_PATCHES[0]);
  });

  it('enables in waves: a tenth of the fleet first, then more', () => {
    const fleet = snapshot({ [first]: everywhere('disabled') });
    expect(
      operator()
        .reconcile(fleet, wave)
        .filter((c) => c.type === 'EnablePatch'),
    ).toHaveLength(10);
    expect(
      operator()
        .reconcile(fleet, 2 * wave)
        .filter((c) => c.type === 'EnablePatch'),
    ).toHaveLength(30);
  });

  it('stacks: enables the second patch only where the first is enabled, never on a busy host', () => {
    const at = 6 * wave;
    const fleet = snapshot(
      { [first]: { ...everywhere('patched'), [hosts[0]]: 'disabled' }, [second]: everywhere('disabled') },
      [hosts[1]],
    );
    const commands = operator().reconcile(fleet, at);
    const enabled = commands.filter(
      (c) => c.type === 'EnablePatch' && (c.payload as { patch: string }).patch === second,
    );
    expect(enabled.length).toBeGreaterThan(0);
    expect(enabled.map((c) => c.hostId)).not.toContain(hosts[0]);
    expect(commands.map((c) => c.hostId)).not.toContain(hosts[1]);
  });

  it('forces or reverses transitions that stalled past the limit', () => {
    const fleet: FleetSnapshot = {
      ...snapshot({ [first]: everywhere('patched') }),
      stalled: hosts.slice(0, 20).map((host) => ({ hostId: host, patch: first, target: 'patched' })),
    };
    const types = new Set(
      operator()
        .reconcile(fleet, wave)
        .slice(0, 20)
        .map((c) => c.type),
    );
    expect(types).toEqual(new Set(['ForceTransition', 'DisablePatch']));
  });

  it('leaves a host alone for a while after touching it', () => {
    const ops = operator();
    const fleet = snapshot({});
    expect(ops.reconcile(fleet, 0)).toHaveLength(100);
    expect(ops.reconcile(fleet, 1000)).toHaveLength(0);
  });
});

describe('the seeded fleet', () => {
  it('is the same fleet for the same seed, with sim-0001… ids and realistic kernels', () => {
    expect(simulatedFleet(50, 9)).toEqual(simulatedFleet(50, 9));
    expect(simulatedFleet(50, 9)).not.toEqual(simulatedFleet(50, 10));
    const [host] = simulatedFleet(1, 9);
    expect(host.hostId).toBe('sim-0001');
    expect(host.kernelRelease).toMatch(/^4\.(1[4-9])\./);
    expect(host.modules).toContain('ext4');
    expect(simulatedFleet(3, 9)[2]).toEqual(simulatedFleet(10, 9)[2]);
  });

  it('draws the same numbers for the same seed', () => {
    const draw = (seed: string) => Array.from({ length: 5 }, createPrng(seed).next);
    expect(draw('a')).toEqual(draw('a'));
    expect(draw('a')).not.toEqual(draw('b'));
  });
});
