import type { ChildProcess } from 'node:child_process';
import { type Stack, startApp, startStack, stopProcess, waitFor } from './stack';

const HOSTS = 50;
const FIRST_PATCH = 'livepatch_cve_2026_1234';
/** On `vmlinux` only, so `patched` wherever it is enabled (the first one also patches nfsd, which only some hosts load). */
const SECOND_PATCH = 'livepatch_cve_2026_2345';

describe('the fleet simulator against the started stack', () => {
  let stack: Stack;
  let sim: ChildProcess | undefined;
  const simLog: string[] = [];
  const get = async <T>(route: string): Promise<T> => {
    const response = await fetch(`${stack.baseUrl}${route}`, {
      headers: { authorization: `Bearer ${stack.tokens.operator}` },
    });
    if (!response.ok) throw new Error(`GET ${route}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  const explain = (error: unknown) =>
    new Error(`${(error as Error).message}\nfleet-sim:\n${simLog.slice(-30).join('\n')}\n${stack.logs()}`);

  beforeAll(async () => {
    stack = await startStack();
    sim = startApp(
      'fleet-sim',
      {
        ...stack.env,
        KLP_API_URL: stack.baseUrl,
        KLP_SIM_TOKEN: stack.tokens.agent,
        KLP_OPERATOR_TOKEN: stack.tokens.operator,
        KLP_SIM_HOSTS: String(HOSTS),
        KLP_SIM_SEED: '42',
        KLP_SIM_WAVE_SECONDS: '3',
        KLP_SIM_STALL_LIMIT_SECONDS: '20',
        KLP_SIM_POLL_MS: '500',
        KLP_SIM_SUMMARY_SECONDS: '5',
        LOG_LEVEL: 'info',
      },
      (line) => simLog.push(line),
    );
  }, 120_000);

  afterAll(async () => {
    if (sim) await stopProcess(sim);
    await stack?.stop();
  }, 60_000);

  it('boots every simulated host', async () => {
    await waitFor(
      async () => (await get<{ items: unknown[] }>('/v1/hosts?q=sim-&limit=100')).items.length === HOSTS,
      30_000,
      `${HOSTS} hosts`,
    ).catch((error: unknown) => {
      throw explain(error);
    });
  });

  it('rolls the patches out: the first enabled nearly everywhere, the second patched on most hosts', async () => {
    await waitFor(
      async () => {
        const patches = await get<Record<string, { enabled: number; patched: number }>>('/v1/patches');
        const first = patches[FIRST_PATCH];
        return (
          (first?.enabled ?? 0) + (first?.patched ?? 0) >= HOSTS * 0.8 &&
          (patches[SECOND_PATCH]?.patched ?? 0) >= HOSTS * 0.6
        );
      },
      90_000,
      `${FIRST_PATCH} on 80% and ${SECOND_PATCH} patched on 60% of the hosts`,
    ).catch((error: unknown) => {
      throw explain(error);
    });
  }, 100_000);

  it('follows transitions with progress reports and completes them', async () => {
    const hosts = Array.from({ length: HOSTS }, (_, index) => `sim-${String(index + 1).padStart(4, '0')}`);
    const types = await Promise.all(
      hosts.map(async (hostId) => {
        const { items } = await get<{ items: Array<{ type: string }> }>(`/v1/hosts/${hostId}/events`);
        return new Set(items.map((event) => event.type));
      }),
    );
    const completed = types.filter((seen) => seen.has('TransitionCompleted')).length;
    const progressed = types.filter((seen) => seen.has('TransitionProgressReported')).length;
    expect(completed).toBeGreaterThan(HOSTS / 2);
    expect(progressed).toBeGreaterThan(HOSTS / 2);
    expect(sim?.exitCode).toBeNull();
  }, 30_000);
});
