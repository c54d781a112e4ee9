import { randomUUID } from 'node:crypto';
import { type Stack, commandTopicEnd, startStack } from './stack';

interface GraphQLAnswer<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string; problems?: unknown[] } }>;
}

describe('GraphQL over the started stack', () => {
  let stack: Stack;
  const graphql = async <T>(token: string | undefined, query: string, variables?: object) => {
    const response = await fetch(`${stack.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return Object.assign((await response.json()) as GraphQLAnswer<T>, { httpStatus: response.status });
  };

  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('runs a patch through its life with mutations and reads it back, like REST', async () => {
    const hostId = `sim-${randomUUID().slice(0, 8)}`;
    const booted = await graphql<{ hostBooted: { status: string; version: number } }>(
      stack.tokens.agent,
      `
        mutation ($h: String!) {
          hostBooted(hostId: $h, kernelRelease: "4.19.0-27-amd64", modules: [], wait: true) {
            status
            version
          }
        }
      `,
      { h: hostId },
    );
    expect(booted.data).toEqual({ hostBooted: { status: 'accepted', version: 1 } });
    const registered = await graphql(
      stack.tokens.operator,
      `
        mutation ($h: String!) {
          registerPatch(
            hostId: $h
            name: "lp-1"
            objects: [{ name: "vmlinux", funcs: [{ name: "cmdline_proc_show" }] }]
            wait: true
          ) {
            status
            version
          }
        }
      `,
      { h: hostId },
    );
    expect(registered.errors).toBeUndefined();
    const enabled = await graphql(
      stack.tokens.operator,
      `
        mutation ($h: String!) {
          enablePatch(hostId: $h, patch: "lp-1", wait: true) {
            status
            version
          }
        }
      `,
      { h: hostId },
    );
    expect(enabled.data).toEqual({ enablePatch: { status: 'accepted', version: 3 } });

    const host = await graphql<{
      host: { transition: { patch: string; target: string }; view: unknown; funcStacks: unknown };
    }>(
      stack.tokens.auditor,
      `
        query ($h: String!) {
          host(id: $h) {
            transition {
              patch
              target
            }
            funcStacks {
              function
              patches
            }
            view
          }
        }
      `,
      { h: hostId },
    );
    const rest = await (
      await fetch(`${stack.baseUrl}/v1/hosts/${hostId}`, {
        headers: { authorization: `Bearer ${stack.tokens.auditor}` },
      })
    ).json();
    expect(host.data?.host.view).toEqual(rest);
    expect(host.data?.host.transition).toEqual({ patch: 'lp-1', target: 'patched' });
    expect(host.data?.host.funcStacks).toEqual([
      { function: 'vmlinux/cmdline_proc_show,1', patches: ['lp-1'] },
    ]);
  }, 60_000);

  it('carries the errno of a refusal in extensions.code', async () => {
    const hostId = `sim-${randomUUID().slice(0, 8)}`;
    const refused = await graphql(
      stack.tokens.operator,
      `
        mutation ($h: String!) {
          disablePatch(hostId: $h, patch: "missing", wait: true) {
            status
          }
        }
      `,
      { h: hostId },
    );
    expect(refused.errors?.[0].extensions?.code).toBe('ENOENT');
  }, 60_000);

  it('refuses bad input and unknown callers with codes, without stack traces', async () => {
    const before = await commandTopicEnd(stack);
    const bad = await graphql(
      stack.tokens.admin,
      `
        mutation {
          enablePatch(hostId: "bad host", patch: "p") {
            status
          }
        }
      `,
    );
    expect(bad.httpStatus).toBe(400);
    expect(bad.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [expect.anything()],
    });
    const badPayload = await graphql(
      stack.tokens.admin,
      `
        mutation {
          submitCommand(input: { hostId: "h", type: "RegisterPatch", payload: { name: 7 } }) {
            status
          }
        }
      `,
    );
    expect(badPayload.httpStatus).toBe(400);
    expect(await commandTopicEnd(stack)).toBe(before);
    const anonymous = await graphql(
      undefined,
      `
        {
          patches {
            patch
          }
        }
      `,
    );
    expect(anonymous.errors?.[0].extensions).toEqual({ code: 'UNAUTHENTICATED' });
    const agent = await graphql(
      stack.tokens.agent,
      `
        {
          patches {
            patch
          }
        }
      `,
    );
    expect(agent.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify([bad, badPayload, anonymous, agent])).not.toMatch(/stacktrace/);
  }, 60_000);
});
