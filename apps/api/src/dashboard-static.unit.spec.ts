import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import express from 'express';
import { DASHBOARD_CSP, serveDashboard } from './dashboard-static';

describe('the dashboard served by the api', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'klp-dashboard-'));
  let server: ReturnType<express.Express['listen']>;
  let base: string;
  const get = (route: string, accept = 'text/html') => fetch(`${base}${route}`, { headers: { accept } });

  beforeAll(async () => {
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    const instance = express();
    const app = { getHttpAdapter: () => ({ getInstance: () => instance }) } as unknown as INestApplication;
    expect(serveDashboard(app, { KLP_DASHBOARD_DIR: dir })).toBe(true);
    instance.get('/v1/hosts', (_request, response) => {
      response.status(401).json({ error: 'unauthorized' });
    });
    instance.use((_request, response) => {
      response.status(404).json({ error: 'not found' });
    });
    server = instance.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for page paths, with the security headers', async () => {
    for (const route of ['/', '/hosts/web-01', '/audit?hostId=x']) {
      const response = await get(route);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('id="root"');
      expect(response.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
    expect(DASHBOARD_CSP).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
  });

  it('serves the hashed assets as immutable, and a missing asset as 404', async () => {
    const asset = await get('/assets/index-abc.js', '*/*');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await get('/assets/nope.js', '*/*')).status).toBe(404);
  });

  it('leaves the api paths to the api', async () => {
    expect((await get('/v1/hosts', 'application/json')).status).toBe(401);
    expect((await get('/v1/nothing')).status).toBe(404);
    expect((await get('/health/ready')).status).toBe(404);
    expect((await get('/graphql')).status).toBe(404);
  });

  it('does nothing when the dashboard was not built', () => {
    const instance = express();
    const app = { getHttpAdapter: () => ({ getInstance: () => instance }) } as unknown as INestApplication;
    expect(serveDashboard(app, { KLP_DASHBOARD_DIR: path.join(dir, 'missing') })).toBe(false);
  });
});
