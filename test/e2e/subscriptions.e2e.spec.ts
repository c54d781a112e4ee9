import { randomUUID } from 'node:crypto';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type Stack, startStack } from './stack';

// API.md's subscriptions over graphql-ws: hostChanged(hostId) and auditAppended(hostId), with the
// token in the connection parameters.
describe('GraphQL subscriptions', () => {
  let stack: Stack;
  const clients: Client[] = [];

  const client = (token?: string) => {
    const created = createClient({
      url: `${stack.baseUrl.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
    });
    clients.push(created);
    return created;
  };

  /** Collects the payloads of one subscription until `count` arrived (or its first error). */
  const collect = (socket: Client, query: string, count: number) => {
    const received: unknown[] = [];
    let settle: (value: unknown[]) => void = () => undefined;
    let fail: (error: unknown) => void = () => undefined;
    const done = new Promise<unknown[]>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    const stop = socket.subscribe(
      { query },
      {
        next: (value) => {
          if (value.errors) return fail(value.errors);
          received.push(value.data);
          if (received.length >= count) settle(received);
        },
        error: fail,
        complete: () => settle(received),
      },
    );
    return { done, stop };
  };

  const send = (token: string, body: object) =>
    fetch(`${stack.baseUrl}/v1/commands?wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(clients.map(async (socket) => socket.dispose()));
    await stack?.stop();
  });

  it('pushes the new view of a host and its new audit records as commands land', async () => {
    const hostId = `sim-${randomUUID().slice(0, 8)}`;
    expect(
      (
        await send(stack.tokens.agent, {
          hostId,
          type: 'HostBooted',
          payload: { kernelRelease: '5.0.0', modules: [] },
        })
      ).status,
    ).toBe(200);
    const socket = client(stack.tokens.auditor);
    const views = collect(socket, `subscription { hostChanged(hostId: "${hostId}") { version stack } }`, 2);
    const audit = collect(
      socket,
      `subscription { auditAppended(hostId: "${hostId}") { seq attribute to } }`,
      3,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));

    const register = { name: 'lp-1', objects: [{ name: 'vmlinux', funcs: [{ name: 'cmdline_proc_show' }] }] };
    expect(
      (await send(stack.tokens.operator, { hostId, type: 'RegisterPatch', payload: register })).status,
    ).toBe(200);
    expect(
      (await send(stack.tokens.operator, { hostId, type: 'EnablePatch', payload: { patch: 'lp-1' } })).status,
    ).toBe(200);

    expect(await views.done).toEqual([
      { hostChanged: { version: 2, stack: ['lp-1'] } },
      { hostChanged: { version: 3, stack: ['lp-1'] } },
    ]);
    const records = (await audit.done) as Array<{ auditAppended: { seq: number } }>;
    const seqs = records.map((record) => record.auditAppended.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    views.stop();
    audit.stop();
  }, 60_000);

  it('refuses a subscriber without a token, and an agent outside its hosts', async () => {
    await expect(
      collect(client(), '{ __typename } subscription { hostChanged(hostId: "sim-x") { version } }', 1).done,
    ).rejects.toBeDefined();
    const anonymous = collect(client(), 'subscription { hostChanged(hostId: "sim-x") { version } }', 1);
    await expect(anonymous.done).rejects.toEqual([
      expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } }),
    ]);
    const agent = collect(
      client(stack.tokens.agent),
      'subscription { auditAppended(hostId: "db-1") { seq } }',
      1,
    );
    await expect(agent.done).rejects.toEqual([
      expect.objectContaining({ extensions: { code: 'FORBIDDEN' } }),
    ]);
  }, 60_000);
});
