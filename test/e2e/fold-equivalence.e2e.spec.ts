import { upcast } from '@klp/contracts';
import { evolve, initialState, view } from '@klp/domain';
import { prng } from '../../bench/workload';
import { randomCommand } from '../support/random-commands';
import { type Stack, startStack } from './stack';

// Issue 5: after many random commands, every host's view from the api equals the domain's fold of
// that host's events as the api serves them. Commands are random (valid and refused alike) over
// few patch and module names, so that stacking, transitions and module churn all happen.
const HOSTS = 100;
const COMMANDS = 10_000;
const SEED = Number(process.env.KLP_TEST_SEED ?? Date.now() % 1_000_000);

describe(`${COMMANDS} random commands over ${HOSTS} hosts (seed ${SEED})`, () => {
  let stack: Stack;
  const call = async (route: string, init?: RequestInit) => {
    const response = await fetch(`${stack.baseUrl}${route}`, {
      ...init,
      headers: { authorization: `Bearer ${stack.tokens.admin}`, 'content-type': 'application/json' },
    });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('gives every command one outcome, and every host view equals the fold of its events', async () => {
    const random = prng(SEED);
    const statuses = new Map<string, number>();
    for (let sent = 0; sent < COMMANDS; sent += 500) {
      const commands = Array.from({ length: 500 }, () =>
        randomCommand(random, { count: HOSTS, prefix: 'sim-fold-', digits: 3 }),
      );
      const { status, body } = await call('/v1/commands:batch?wait=true&timeoutMs=60000', {
        method: 'POST',
        body: JSON.stringify({ commands }),
      });
      expect(status).toBe(200);
      for (const result of (body as { results: Array<{ status: string }> }).results) {
        statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
      }
    }
    expect(statuses.get('pending')).toBeUndefined();
    expect((statuses.get('accepted') ?? 0) + (statuses.get('rejected') ?? 0)).toBe(COMMANDS);
    expect(statuses.get('accepted')).toBeGreaterThan(COMMANDS / 10);

    let compared = 0;
    for (let host = 0; host < HOSTS; host++) {
      const hostId = `sim-fold-${String(host).padStart(3, '0')}`;
      const served = await call(`/v1/hosts/${hostId}`);
      if (served.status === 404) continue;
      const events = await call(`/v1/hosts/${hostId}/events?limit=10000`);
      const items = (events.body as { items: unknown[] }).items;
      const folded = view(items.map(upcast).reduce(evolve, initialState(hostId)));
      expect({ hostId, view: served.body }).toEqual({ hostId, view: folded });
      compared += 1;
    }
    expect(compared).toBeGreaterThan(HOSTS / 2);
  }, 600_000);
});
