import { type Stack, startStack } from './stack';

// Issue 9, "Security": every role against every route, allowed or refused exactly as API.md says.
// The agent token of the stack is limited to `sim-*`.
type Caller = 'operator' | 'agent' | 'auditor' | 'admin' | 'none' | 'bad';
const CALLERS: Caller[] = ['operator', 'agent', 'auditor', 'admin', 'none', 'bad'];

interface Case {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** The status for each caller with a valid token; no token and a bad token are always 401. */
  expect: Record<'operator' | 'agent' | 'auditor' | 'admin', number>;
}

const steer = { hostId: 'sim-matrix', type: 'EnablePatch', payload: { patch: 'lp-1' } };
const report = { hostId: 'sim-matrix', type: 'ModuleComing', payload: { module: 'nfsd' } };
const foreignReport = { hostId: 'db-matrix', type: 'ModuleComing', payload: { module: 'nfsd' } };

const CASES: Case[] = [
  {
    name: 'steering command',
    method: 'POST',
    path: '/v1/commands',
    body: steer,
    expect: { operator: 202, agent: 403, auditor: 403, admin: 202 },
  },
  {
    name: 'kernel report',
    method: 'POST',
    path: '/v1/commands',
    body: report,
    expect: { operator: 403, agent: 202, auditor: 403, admin: 202 },
  },
  {
    name: 'report for a host outside the pattern',
    method: 'POST',
    path: '/v1/commands',
    body: foreignReport,
    expect: { operator: 403, agent: 403, auditor: 403, admin: 202 },
  },
  {
    name: 'command outcome',
    method: 'GET',
    path: '/v1/commands/never-sent',
    expect: { operator: 200, agent: 200, auditor: 200, admin: 200 },
  },
  {
    name: 'host list',
    method: 'GET',
    path: '/v1/hosts',
    expect: { operator: 200, agent: 200, auditor: 200, admin: 200 },
  },
  {
    name: 'host view in the pattern',
    method: 'GET',
    path: '/v1/hosts/sim-nobody',
    expect: { operator: 404, agent: 404, auditor: 404, admin: 404 },
  },
  {
    name: 'host view outside the pattern',
    method: 'GET',
    path: '/v1/hosts/db-nobody',
    expect: { operator: 404, agent: 403, auditor: 404, admin: 404 },
  },
  {
    name: 'host events outside the pattern',
    method: 'GET',
    path: '/v1/hosts/db-nobody/events',
    expect: { operator: 404, agent: 403, auditor: 404, admin: 404 },
  },
  {
    name: 'patch roll-up',
    method: 'GET',
    path: '/v1/patches',
    expect: { operator: 200, agent: 403, auditor: 200, admin: 200 },
  },
  {
    name: 'hosts of a patch',
    method: 'GET',
    path: '/v1/patches/lp-none/hosts',
    expect: { operator: 404, agent: 403, auditor: 404, admin: 404 },
  },
  {
    name: 'transitions',
    method: 'GET',
    path: '/v1/transitions',
    expect: { operator: 200, agent: 403, auditor: 200, admin: 200 },
  },
  {
    name: 'audit log',
    method: 'GET',
    path: '/v1/audit?limit=5',
    expect: { operator: 200, agent: 403, auditor: 200, admin: 200 },
  },
  {
    name: 'audit chain check',
    method: 'GET',
    path: '/v1/audit/verify?hostId=sim-nobody',
    expect: { operator: 200, agent: 403, auditor: 200, admin: 200 },
  },
  {
    name: 'host at a past time',
    method: 'GET',
    path: '/v1/hosts/db-nobody?at=2026-01-01T00:00:00Z',
    expect: { operator: 404, agent: 403, auditor: 404, admin: 404 },
  },
  {
    name: 'function stacks',
    method: 'GET',
    path: '/v1/functions/vmlinux/cmdline_proc_show',
    expect: { operator: 200, agent: 403, auditor: 200, admin: 200 },
  },
];

const GRAPHQL_CASES: Array<{ name: string; query: string; forbiddenFor: Caller[] }> = [
  { name: 'patches', query: '{ patches { patch } }', forbiddenFor: ['agent'] },
  { name: 'hosts', query: '{ hosts { items { hostId } } }', forbiddenFor: [] },
  { name: 'transitions', query: '{ transitions { hostId } }', forbiddenFor: ['agent'] },
  {
    name: 'enablePatch',
    query: 'mutation { enablePatch(hostId: "sim-matrix", patch: "lp-1") { status } }',
    forbiddenFor: ['agent', 'auditor'],
  },
  {
    name: 'moduleComing',
    query: 'mutation { moduleComing(hostId: "sim-matrix", module: "xfs") { status } }',
    forbiddenFor: ['operator', 'auditor'],
  },
];

describe('the role matrix of API.md, over every route', () => {
  let stack: Stack;
  const tokenOf = (caller: Caller) =>
    caller === 'none' ? undefined : caller === 'bad' ? 'not-a-configured-token' : stack.tokens[caller];
  const request = (caller: Caller, method: string, path: string, body?: unknown) => {
    const token = tokenOf(caller);
    return fetch(`${stack.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };

  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers every REST route for every caller as API.md says', async () => {
    const got: string[] = [];
    const wanted: string[] = [];
    for (const route of CASES) {
      for (const caller of CALLERS) {
        const status = (await request(caller, route.method, route.path, route.body)).status;
        const expected = caller === 'none' || caller === 'bad' ? 401 : route.expect[caller];
        got.push(`${route.name} as ${caller}: ${status}`);
        wanted.push(`${route.name} as ${caller}: ${expected}`);
      }
    }
    expect(got).toEqual(wanted);
  }, 120_000);

  it('answers every GraphQL field for every caller with the right code', async () => {
    const got: string[] = [];
    const wanted: string[] = [];
    for (const field of GRAPHQL_CASES) {
      for (const caller of CALLERS) {
        const answer = (await (await request(caller, 'POST', '/graphql', { query: field.query })).json()) as {
          errors?: Array<{ extensions?: { code?: string } }>;
        };
        const code = answer.errors?.[0]?.extensions?.code ?? 'ok';
        const expected =
          caller === 'none' || caller === 'bad'
            ? 'UNAUTHENTICATED'
            : field.forbiddenFor.includes(caller)
              ? 'FORBIDDEN'
              : 'ok';
        got.push(`${field.name} as ${caller}: ${code}`);
        wanted.push(`${field.name} as ${caller}: ${expected}`);
      }
    }
    expect(got).toEqual(wanted);
  }, 120_000);

  it('keeps health open to everyone', async () => {
    for (const caller of CALLERS) expect((await request(caller, 'GET', '/health/live')).status).toBe(200);
  });
});
