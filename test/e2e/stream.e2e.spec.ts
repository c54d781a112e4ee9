import { randomUUID } from 'node:crypto';
import { type Stack, startStack } from './stack';

// The push channel of the dashboard: GET /v1/stream sends a `settled` event once the read model
// has taken in new outcomes, and refuses callers without a token.
describe('GET /v1/stream (server-sent events)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses a caller without a token', async () => {
    expect((await fetch(`${stack.baseUrl}/v1/stream`)).status).toBe(401);
  });

  it('pushes a settled event after a command reaches the read model', async () => {
    const controller = new AbortController();
    const response = await fetch(`${stack.baseUrl}/v1/stream`, {
      headers: { authorization: `Bearer ${stack.tokens.auditor}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toContain(': connected');

    const sent = await fetch(`${stack.baseUrl}/v1/commands?wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.tokens.agent}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        hostId: `sim-${randomUUID().slice(0, 8)}`,
        type: 'HostBooted',
        payload: { kernelRelease: '4.19.0-27-amd64', modules: [] },
      }),
    });
    expect(sent.status).toBe(200);

    let received = '';
    const deadline = Date.now() + 10_000;
    while (!received.includes('event: settled') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value;
    }
    controller.abort();
    expect(received).toMatch(/event: settled\ndata: \{"commands":\d+\}/);
  }, 60_000);
});
