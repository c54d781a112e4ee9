import { dropDatabase } from '../database';

/** The Postgres server the integration setup found. */
const serverUrl = () => process.env.KLP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A database of its own for one spec file, on the test server: its name and URL (the spec creates
 * it, with `ensureDatabase`), and `drop`, which ends every connection to it and drops it.
 */
export function scratchDatabase(label: string): { name: string; url: string; drop(): Promise<void> } {
  const name = `klp_${label}_${process.pid}_${Date.now()}`;
  const target = new URL(serverUrl());
  target.pathname = `/${name}`;
  const url = target.toString();
  return { name, url, drop: () => dropDatabase(url) };
}
