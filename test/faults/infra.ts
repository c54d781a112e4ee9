import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

// The fault suite's own broker and Postgres cluster, which it may kill and restart at will: never
// the shared ones (19092, 5432) that other engineers and tiers use.
const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

export const FAULT_KAFKA_PORT = Number(process.env.KLP_FAULT_KAFKA_PORT ?? 19792);
export const FAULT_PG_PORT = Number(process.env.KLP_FAULT_PG_PORT ?? 5437);
const PG_VERSION = process.env.KLP_FAULT_PG_VERSION ?? '15';
const PG_CLUSTER = 'klpfaults';

const kafkaEnv = () => ({ ...process.env, KAFKA_PORT: String(FAULT_KAFKA_PORT) });
const sh = (script: string, args: string[] = []) =>
  run('bash', [path.join(root, 'tools/kafka', script), ...args], {
    cwd: root,
    env: kafkaEnv(),
    maxBuffer: 1 << 22,
  });

export const faultBrokers = () => [`127.0.0.1:${FAULT_KAFKA_PORT}`];
export const faultServerUrl = () => `postgres://postgres@127.0.0.1:${FAULT_PG_PORT}/postgres`;

export async function brokerUp(): Promise<void> {
  await sh('kafka-up.sh');
}

/** kill -9 of the broker by the pid in its pid file; resolves once the process is gone. */
export async function brokerKill(): Promise<void> {
  const pidFile = path.join(root, `.cache/kafka/broker-${FAULT_KAFKA_PORT}.pid`);
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid in ${pidFile}`);
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100; i++) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/^\d+ \(.*\) Z/.test(stat)) return;
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`broker pid ${pid} survived SIGKILL`);
}

/** Stops the broker and deletes its data directory (the end of a run). */
export async function brokerWipe(): Promise<void> {
  await sh('kafka-down.sh', ['--wipe']).catch(() => undefined);
}

const pgctl = (...args: string[]) =>
  run('pg_ctlcluster', ['--skip-systemctl-redirect', PG_VERSION, PG_CLUSTER, ...args]);

async function pgReady(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Client({ connectionString: faultServerUrl(), connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** Creates (once) and starts the cluster `klpfaults`: local and 127.0.0.1 connections trusted. */
export async function postgresUp(): Promise<void> {
  const { stdout } = await run('pg_lsclusters', ['--no-header']);
  const line = stdout.split('\n').find((row) => row.split(/\s+/)[1] === PG_CLUSTER);
  if (!line) {
    await run('pg_createcluster', [
      PG_VERSION,
      PG_CLUSTER,
      '--port',
      String(FAULT_PG_PORT),
      '--',
      '--auth-local=trust',
      '--auth-host=trust',
    ]);
  }
  if (line?.split(/\s+/)[3] !== 'online') await pgctl('start');
  await pgReady(30_000);
}

export async function postgresStop(): Promise<void> {
  await pgctl('stop', '-m', 'fast');
}

export async function postgresStart(): Promise<void> {
  await pgctl('start');
  await pgReady(30_000);
}

/** Stops and drops the cluster (the end of a run). */
export async function postgresDrop(): Promise<void> {
  await run('pg_dropcluster', ['--stop', PG_VERSION, PG_CLUSTER]).catch(() => undefined);
}
