import { Client } from 'pg';

/** The name of the read-model schema; tables are unqualified, `search_path` picks the schema. */
export const DEFAULT_READ_SCHEMA = 'klp';

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertIdentifier(name: string, what: string): string {
  if (!identifier.test(name)) throw new Error(`${what} "${name}" must match ${identifier.source}`);
  return name;
}

/** The database `url` names, checked, and a client on the server's `postgres` database to manage it. */
function maintenanceOf(url: string): { database: string; client: Client } {
  const database = decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
  assertIdentifier(database, 'database name');
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  return {
    database,
    client: new Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 5000 }),
  };
}

/**
 * Creates the database named in `url` when it is missing, by asking the server's `postgres`
 * database. Lets a fresh machine run `npm start` with nothing but a Postgres server.
 */
export async function ensureDatabase(url: string): Promise<{ created: boolean }> {
  const { database, client } = maintenanceOf(url);
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return { created: false };
    try {
      await client.query(`CREATE DATABASE "${database}"`);
    } catch (error) {
      // Two processes may race to create it; the loser finds it there, which is all it wanted.
      if ((error as { code?: string }).code !== '42P04') throw error;
      return { created: false };
    }
    return { created: true };
  } finally {
    await client.end();
  }
}

/** Drops the database named in `url`, if it exists, ending every connection to it first. */
export async function dropDatabase(url: string): Promise<void> {
  const { database, client } = maintenanceOf(url);
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** True when a Postgres server answers at `url` within the timeout. */
export async function isPostgresReachable(url: string, timeoutMs = 2000): Promise<boolean> {
  const probe = new URL(url);
  probe.pathname = '/postgres';
  const client = new Client({ connectionString: probe.toString(), connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
