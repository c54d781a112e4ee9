import fc from 'fast-check';
import { checkCommandBody } from '@klp/contracts';
import { type Stack, commandTopicEnd, startStack } from './stack';

// Issue 9, "Bad input": bodies, query strings and GraphQL operations that do not fit get a 4xx with
// a reason, never a 5xx; the api stays up; nothing reaches Kafka.
const RUNS = Number(process.env.KLP_FUZZ_RUNS ?? 300);

const valid = {
  hostId: 'sim-fuzz',
  type: 'RegisterPatch',
  payload: { name: 'lp', objects: [{ name: 'vmlinux', funcs: [{ name: 'f' }] }] },
};

const nasty = fc.oneof(
  fc.constantFrom(
    "'; DROP TABLE hosts; --",
    '{"$where": "1 == 1"}',
    '\u0000\u0001\u001f',
    '../../etc/passwd',
    '\ud83d\udca5'.repeat(50),
    'a'.repeat(70_000),
    '__proto__',
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.anything({ maxDepth: 3 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.anything({ maxDepth: 2 }), { maxKeys: 5 }),
);

function deepNest(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** A body that breaks the schema in one way: a wrong-typed field, a missing one, an extra one. */
const badBody = fc.oneof(
  fc
    .record({
      field: fc.constantFrom('hostId', 'type', 'payload', 'commandId', 'expectedVersion'),
      value: nasty,
    })
    .map(({ field, value }) => ({ ...valid, [field]: value })),
  fc.constantFrom('hostId', 'type', 'payload').map((field) => {
    const body: Record<string, unknown> = { ...valid };
    delete body[field];
    return body;
  }),
  fc
    .record({ key: fc.string({ minLength: 1, maxLength: 20 }), value: nasty })
    .filter(({ key }) => !(key in valid))
    .map(({ key, value }) => ({ ...valid, [key]: value })),
  fc.record({ field: fc.constantFrom('name', 'objects'), value: nasty }).map(({ field, value }) => ({
    ...valid,
    payload: { ...valid.payload, [field]: value },
  })),
  fc.integer({ min: 50, max: 2000 }).map((depth) => ({ ...valid, payload: deepNest(depth) })),
  nasty,
);

describe('fuzzing the edge', () => {
  let stack: Stack;
  let before: number;
  const counts = { bodies: 0, queries: 0, graphql: 0 };
  const post = (route: string, body: string, token = stack.tokens.admin) =>
    fetch(`${stack.baseUrl}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });

  beforeAll(async () => {
    stack = await startStack();
    before = await commandTopicEnd(stack);
  }, 120_000);
  afterAll(async () => {
    process.stdout.write(`fuzz inputs tried: ${JSON.stringify(counts)}\n`);
    await stack?.stop();
  });

  it('refuses every malformed command body with 400 or 413 and a reason', async () => {
    await fc.assert(
      fc.asyncProperty(badBody, fc.boolean(), async (body, batch) => {
        // Some generated values are valid where they land (`__proto__` is a fine host id).
        fc.pre(!checkCommandBody(body).ok);
        counts.bodies += 1;
        const text = JSON.stringify(batch ? { commands: [body] } : body) ?? 'null';
        const response = await post(batch ? '/v1/commands:batch' : '/v1/commands', text);
        const answer = (await response.json()) as Record<string, unknown>;
        if (batch && response.status === 200) {
          const [result] = answer.results as Array<{ httpStatus: number; problems?: unknown[] }>;
          return result.httpStatus === 400 && Array.isArray(result.problems);
        }
        return [400, 413].includes(response.status) && typeof answer.error === 'string';
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('refuses bodies that are not JSON, with 400', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), async (text) => {
        fc.pre(!isJson(text));
        counts.bodies += 1;
        const response = await post('/v1/commands', text);
        return response.status === 400;
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  }, 300_000);

  it('refuses bad query strings with 400 and never fails with 5xx', async () => {
    const routes = [
      (v: string) => `/v1/hosts?limit=${v}`,
      (v: string) => `/v1/hosts?state=${v}`,
      (v: string) => `/v1/hosts?cursor=${v}`,
      (v: string) => `/v1/transitions?olderThan=${v}`,
      (v: string) => `/v1/commands?wait=${v}`,
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: routes.length - 1 }),
        fc.string({ minLength: 1, maxLength: 100 }),
        async (index, raw) => {
          fc.pre(!/^(\d{1,3}|true|false|disabled|enabled|transition|patched)$/.test(raw));
          counts.queries += 1;
          const route = routes[index](encodeURIComponent(raw));
          const response = route.startsWith('/v1/commands')
            ? await post(route, JSON.stringify(valid))
            : await fetch(`${stack.baseUrl}${route}`, {
                headers: { authorization: `Bearer ${stack.tokens.admin}` },
              });
          return response.status === 400;
        },
      ),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('answers malformed GraphQL operations with 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.constantFrom(
            '{ host(id: 1) { hostId } }',
            'mutation { enablePatch { status } }',
            '{ nope }',
            '{'.repeat(5000),
          ),
        ),
        async (query) => {
          counts.graphql += 1;
          const response = await post('/graphql', JSON.stringify({ query }));
          return response.status >= 400 && response.status < 500;
        },
      ),
      { numRuns: RUNS },
    );
  }, 300_000);

  it('is still up, and nothing of it reached Kafka', async () => {
    expect((await fetch(`${stack.baseUrl}/health/live`)).status).toBe(200);
    expect(await commandTopicEnd(stack)).toBe(before);
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
