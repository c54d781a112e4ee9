import type { Pool } from 'pg';
import { createReadModelPool, dropDatabase, ensureDatabase, migrate } from '@klp/store';
// migrations/ is no Nx project (tools/ and the migration spec import it the same way): the specs
// lay the schema exactly as `npm start` does.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { migrations } from '../../../../migrations';

const serverUrl = () => process.env.KLP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Runs every migration into `schema` (default `klp`) and opens a pool on it. */
  schema(schema?: string): Promise<Pool>;
  /** Closes the pools and drops the database. */
  drop(): Promise<void>;
}

/** A fresh database per spec file, on the server the integration setup found. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `klp_${label}_${process.pid}_${Date.now().toString(36)}`;
  const target = new URL(serverUrl());
  target.pathname = `/${name}`;
  const url = target.toString();
  await ensureDatabase(url);
  const pools: Pool[] = [];
  return {
    name,
    url,
    async schema(schema = 'klp') {
      await migrate({ url, schema, migrations });
      const pool = createReadModelPool({ url, schema, max: 4, applicationName: `spec-${label}` });
      // Dropping the database ends idle connections: that is expected, not an error of the spec.
      pool.on('error', () => undefined);
      pools.push(pool);
      return pool;
    },
    async drop() {
      await Promise.allSettled(pools.map((pool) => pool.end()));
      await dropDatabase(url);
    },
  };
}

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. Never a fixed sleep. */
export async function waitFor(
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
