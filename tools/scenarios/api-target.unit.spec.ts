import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiTarget, ApiTargetError } from './api-target';

interface Seen {
  method?: string;
  url?: string;
  authorization?: string;
  contentType?: string;
  body: unknown;
}

type Reply = { status: number; body?: unknown; raw?: string };

/** A stand-in for apps/api on loopback: records each request and answers what the test says. */
async function fakeApi(
  reply: (seen: Seen) => Reply,
): Promise<{ base: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const entry: Seen = {
        method: request.method,
        url: request.url,
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        body: text ? (JSON.parse(text) as unknown) : undefined,
      };
      seen.push(entry);
      const answer = reply(entry);
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const command = { commandId: 'c-1.run', hostId: 'h1.run', type: 'EnablePatch', payload: { patch: 'lp-1' } };

describe('apiTarget', () => {
  it('POSTs each command to /v1/commands?wait=true with the bearer token; 200 accepted is ok', async () => {
    const api = await fakeApi(() => ({
      status: 200,
      body: { commandId: 'c-1.run', status: 'accepted', hostId: 'h1.run', version: 2 },
    }));
    try {
      const target = apiTarget({ baseUrl: api.base, token: 's3cret' });
      await expect(target.send({ ...command, expectedVersion: 1 })).resolves.toBe('ok');
      await expect(target.send(command)).resolves.toBe('ok');
      expect(api.seen[0]).toEqual({
        method: 'POST',
        url: '/v1/commands?wait=true',
        authorization: 'Bearer s3cret',
        contentType: 'application/json',
        body: { ...command, expectedVersion: 1 },
      });
      expect(api.seen[1].body).toEqual(command);
    } finally {
      await api.close();
    }
  });

  it.each([
    [404, 'ENOENT'],
    [409, 'EBUSY'],
    [409, 'ESTALE'],
    [409, 'EEXIST'],
    [422, 'EINVAL'],
  ])('maps a rejection answered with HTTP %i to its errno %s', async (status, errno) => {
    const api = await fakeApi(() => ({
      status,
      body: { commandId: 'c', status: 'rejected', errno, reason: 'r' },
    }));
    try {
      await expect(apiTarget({ baseUrl: api.base, token: 't' }).send(command)).resolves.toBe(errno);
    } finally {
      await api.close();
    }
  });

  it('counts a 400 (the edge refusing a malformed command) as EINVAL', async () => {
    const api = await fakeApi(() => ({ status: 400, body: { error: 'bad', problems: [] } }));
    try {
      await expect(apiTarget({ baseUrl: api.base, token: 't' }).send(command)).resolves.toBe('EINVAL');
    } finally {
      await api.close();
    }
  });

  it.each([
    ['a 504 pending', { status: 504, body: { status: 'pending' } }, /HTTP 504/],
    ['a 401', { status: 401, raw: 'no token' }, /HTTP 401 no token/],
    ['a 200 that is not accepted', { status: 200, body: { status: 'pending' } }, /HTTP 200/],
    ['a 409 without an errno', { status: 409, body: { status: 'rejected' } }, /HTTP 409/],
    ['a 500 with an empty body', { status: 500 }, /^HTTP 500$/],
  ])('fails the step on %s, with the status', async (_, reply, message) => {
    const api = await fakeApi(() => reply);
    try {
      const sending = apiTarget({ baseUrl: api.base, token: 't' }).send(command);
      await expect(sending).rejects.toBeInstanceOf(ApiTargetError);
      await expect(apiTarget({ baseUrl: api.base, token: 't' }).send(command)).rejects.toThrow(message);
    } finally {
      await api.close();
    }
  });

  it('GETs views from /v1/hosts/{id}; 404 is null, anything else but 200 fails', async () => {
    const hostView = { hostId: 'h1.run', version: 1 };
    const api = await fakeApi((seen) =>
      seen.url === '/v1/hosts/h1.run'
        ? { status: 200, body: hostView }
        : seen.url === '/v1/hosts/a%2Fb'
          ? { status: 500 }
          : { status: 404, body: { error: 'no host' } },
    );
    try {
      const target = apiTarget({ baseUrl: api.base, token: 'tok' });
      await expect(target.view('h1.run')).resolves.toEqual(hostView);
      await expect(target.view('h2.run')).resolves.toBeNull();
      await expect(target.view('a/b')).rejects.toThrow(/HTTP 500/);
      expect(api.seen[0]).toMatchObject({ method: 'GET', authorization: 'Bearer tok' });
    } finally {
      await api.close();
    }
  });
});
