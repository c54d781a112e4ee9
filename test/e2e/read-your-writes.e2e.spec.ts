import { randomUUID } from 'node:crypto';
import { type Stack, commandTopicEnd, startStack } from './stack';

describe('commands with wait=true, then reads', () => {
  let stack: Stack;
  const send = (token: string, body: unknown, query = '?wait=true') =>
    fetch(`${stack.baseUrl}/v1/commands${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const get = (token: string, route: string) =>
    fetch(`${stack.baseUrl}${route}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('shows the effect of every accepted command in the very next GET', async () => {
    const hostId = `sim-${randomUUID().slice(0, 8)}`;
    const boot = await send(stack.tokens.agent, {
      hostId,
      type: 'HostBooted',
      payload: { kernelRelease: '4.19.0-27-amd64', modules: ['nfsd'] },
    });
    expect(boot.status).toBe(200);
    expect(await boot.json()).toMatchObject({ status: 'accepted', hostId, version: 1 });

    const register = await send(stack.tokens.operator, {
      hostId,
      type: 'RegisterPatch',
      payload: { name: 'lp-1', objects: [{ name: 'nfsd', funcs: [{ name: 'nfsd_dispatch' }] }] },
    });
    expect(register.status).toBe(200);
    for (let round = 0; round < 5; round++) {
      const enable = await send(stack.tokens.operator, {
        hostId,
        type: 'EnablePatch',
        payload: { patch: 'lp-1' },
      });
      expect(enable.status).toBe(200);
      const afterEnable = (await (await get(stack.tokens.auditor, `/v1/hosts/${hostId}`)).json()) as {
        patches: Record<string, { enabled: boolean }>;
      };
      expect(afterEnable.patches['lp-1'].enabled).toBe(true);
      const disable = await send(stack.tokens.operator, {
        hostId,
        type: 'DisablePatch',
        payload: { patch: 'lp-1' },
      });
      expect(disable.status).toBe(200);
      const afterDisable = (await (await get(stack.tokens.auditor, `/v1/hosts/${hostId}`)).json()) as {
        patches: Record<string, { enabled: boolean }>;
        transition: { target: string };
      };
      expect(afterDisable.patches['lp-1'].enabled).toBe(false);
      expect(afterDisable.transition.target).toBe('unpatched');
    }
  }, 120_000);

  it('answers a refusal with its errno and HTTP status, and the same answer to a repeat', async () => {
    const hostId = `sim-${randomUUID().slice(0, 8)}`;
    const commandId = randomUUID();
    const first = await send(stack.tokens.admin, {
      commandId,
      hostId,
      type: 'EnablePatch',
      payload: { patch: 'nope' },
    });
    expect(first.status).toBe(404);
    const body = await first.json();
    expect(body).toMatchObject({ commandId, status: 'rejected', errno: 'ENOENT' });
    const again = await send(stack.tokens.admin, {
      commandId,
      hostId,
      type: 'EnablePatch',
      payload: { patch: 'nope' },
    });
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual(body);
    const lookup = await get(stack.tokens.auditor, `/v1/commands/${commandId}`);
    expect(await lookup.json()).toEqual(body);
  }, 60_000);

  it('refuses a malformed body with 400 and sends nothing', async () => {
    const before = await commandTopicEnd(stack);
    const response = await send(stack.tokens.admin, { hostId: 'bad host', type: 'EnablePatch', payload: {} });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      problems: expect.arrayContaining([expect.objectContaining({ path: 'hostId' })]),
    });
    const tooBig = await send(stack.tokens.admin, {
      hostId: 'h',
      type: 'EnablePatch',
      payload: { patch: 'x'.repeat(70_000) },
    });
    expect(tooBig.status).toBe(413);
    expect(await commandTopicEnd(stack)).toBe(before);
  }, 60_000);

  it('treats host and patch names that are JavaScript property names like any other', async () => {
    const boot = await send(stack.tokens.admin, {
      hostId: '__proto__',
      type: 'HostBooted',
      payload: { kernelRelease: '4.19.0-27-amd64', modules: ['constructor'] },
    });
    expect(boot.status).toBe(200);
    const register = await send(stack.tokens.admin, {
      hostId: '__proto__',
      type: 'RegisterPatch',
      payload: { name: 'toString', objects: [{ name: 'constructor', funcs: [{ name: 'hasOwnProperty' }] }] },
    });
    expect(register.status).toBe(200);
    const hostView = (await (await get(stack.tokens.admin, '/v1/hosts/__proto__')).json()) as {
      loadedModules: string[];
      patches: Record<string, { objects: Record<string, { loaded: boolean }> }>;
    };
    expect(hostView.loadedModules).toEqual(['constructor']);
    expect(Object.keys(hostView.patches)).toEqual(['toString']);
    const [patchName, objectName] = ['toString', 'constructor'];
    expect(hostView.patches[patchName].objects[objectName].loaded).toBe(true);
  }, 60_000);
});
