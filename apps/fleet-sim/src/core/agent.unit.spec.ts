import { SimAgent, type SimCommand, type Settlement } from './agent';
import { simulatedFleet } from './fleet';
import { runInProcess } from './in-process-fleet.spec-helper';

const spec = simulatedFleet(1, 7)[0];
const patch = 'livepatch_cve_2026_1234';

/** Boots the agent and then runs it for `ms`, accepting every command with the next version. */
function driver(behaviour: { stallShare: number; failShare: number }) {
  const agent = new SimAgent(spec, 7, behaviour, 0);
  let version = 0;
  let now = 0;
  const sent: SimCommand[] = [];
  const accept = (): Settlement => ({ status: 'accepted', version: ++version });
  const run = (ms: number) => {
    for (const end = now + ms; now < end; now += 250) {
      for (const command of agent.tick(now)) {
        sent.push(command);
        agent.settle(command, accept());
      }
    }
  };
  run(250);
  return {
    agent,
    sent,
    run,
    observe: (target: 'patched' | 'unpatched', pendingTasks: number | null = null) =>
      agent.observe({ patch, target, pendingTasks, version }, now),
    transitionReports: () =>
      sent.filter((command) => command.type !== 'ModuleComing' && command.type !== 'ModuleGoing'),
  };
}

describe('a simulated agent follows its host', () => {
  it('boots its host with its kernel release and modules first', () => {
    const { sent } = driver({ stallShare: 0, failShare: 0 });
    expect(sent[0]).toEqual({
      hostId: spec.hostId,
      type: 'HostBooted',
      payload: { kernelRelease: spec.kernelRelease, modules: spec.modules },
    });
  });

  it('reports falling pending-task counts, then PatchComplete, for a transition to patched', () => {
    const host = driver({ stallShare: 0, failShare: 0 });
    host.observe('patched');
    host.run(20_000);
    const reports = host.transitionReports().slice(1);
    expect(reports.at(-1)).toEqual({ hostId: spec.hostId, type: 'PatchComplete', payload: { patch } });
    const pending = reports
      .slice(0, -1)
      .map((command) => (command.payload as { pendingTasks: number }).pendingTasks);
    expect(pending.length).toBeGreaterThan(0);
    expect([...pending].sort((a, b) => b - a)).toEqual(pending);
    host.run(20_000);
    expect(host.transitionReports().slice(1)).toHaveLength(reports.length);
  });

  it('completes a transition to unpatched with UnpatchComplete', () => {
    const host = driver({ stallShare: 1, failShare: 1 });
    host.observe('unpatched', 12);
    host.run(20_000);
    expect(host.transitionReports().at(-1)?.type).toBe('UnpatchComplete');
  });

  it('keeps reporting blocking tasks on a stalled transition until it is reversed', () => {
    const host = driver({ stallShare: 1, failShare: 0 });
    host.observe('patched');
    host.run(120_000);
    const reports = host.transitionReports().slice(1);
    expect(reports.some((command) => command.type === 'PatchComplete')).toBe(false);
    const blocked = reports.filter(
      (command) => ((command.payload as { blockingTasks?: unknown[] }).blockingTasks ?? []).length > 0,
    );
    expect(blocked.length).toBeGreaterThan(5);
    expect(blocked[0].payload).toMatchObject({
      blockingTasks: expect.arrayContaining([
        expect.objectContaining({ pid: expect.any(Number), comm: expect.any(String) }),
      ]) as unknown,
    });
    host.observe('unpatched', null);
    host.run(10_000);
    expect(host.transitionReports().at(-1)?.type).toBe('UnpatchComplete');
  });

  it('fails an enable only as its first report on the transition', () => {
    const host = driver({ stallShare: 0, failShare: 1 });
    host.observe('patched', null);
    host.run(5_000);
    expect(
      host
        .transitionReports()
        .slice(1)
        .map((command) => command.type),
    ).toEqual(['EnableFailed']);
    host.observe('patched', 40);
    host.run(20_000);
    expect(
      host
        .transitionReports()
        .slice(2)
        .map((command) => command.type),
    ).not.toContain('EnableFailed');
  });

  it('ignores a view older than its own last accepted report', () => {
    const host = driver({ stallShare: 0, failShare: 0 });
    host.observe('patched');
    host.run(20_000);
    const count = host.transitionReports().length;
    host.agent.observe({ patch, target: 'patched', pendingTasks: 3, version: 1 }, 40_000);
    host.run(20_000);
    expect(host.transitionReports()).toHaveLength(count);
  });

  it('behaves the same way for the same seed', () => {
    const types = () => {
      const host = driver({ stallShare: 0.5, failShare: 0.2 });
      host.observe('patched');
      host.run(600_000);
      return host.sent;
    };
    expect(types()).toEqual(types());
  });
});

describe('the simulated fleet against the real decider', () => {
  jest.setTimeout(30_000);

  it('sends nothing the domain refuses while no operator races it', () => {
    const run = runInProcess({
      hosts: 40,
      seed: 3,
      behaviour: { stallShare: 0, failShare: 0.05 },
      seconds: 400,
    });
    expect(Object.fromEntries(run.agentRejections)).toEqual({});
    expect(Object.fromEntries(run.operatorRejections)).toEqual({});
    expect(run.accepted.get('PatchComplete')).toBeGreaterThan(80);
    expect(run.accepted.get('EnableFailed')).toBeGreaterThan(0);
    expect(run.accepted.get('ModuleComing')! + run.accepted.get('ModuleGoing')!).toBeGreaterThan(20);
  });

  it('refuses agent reports only where an operator forced or reversed a stalled transition', () => {
    const run = runInProcess({
      hosts: 40,
      seed: 5,
      behaviour: { stallShare: 0.2, failShare: 0.05 },
      seconds: 400,
    });
    const refused = [...run.agentRejections.values()].reduce((sum, count) => sum + count, 0);
    expect(run.interventions).toBeGreaterThan(5);
    expect(refused).toBeLessThanOrEqual(run.interventions);
    expect(Object.fromEntries(run.operatorRejections)).toEqual({});
    expect(run.accepted.get('ForceTransition')).toBeGreaterThan(0);
  });
});
