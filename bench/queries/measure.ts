import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';

const root = path.resolve(__dirname, '../..');

export interface Latency {
  p50: number;
  p99: number;
  /** Requests measured (after the warm-up). */
  count: number;
}

/** Closed loop, one request at a time: `warmup` unmeasured calls, then `count` timed ones (ms). */
export async function measureLatency(
  count: number,
  warmup: number,
  call: (index: number) => Promise<void>,
): Promise<Latency> {
  for (let index = 0; index < warmup; index++) await call(index);
  const times: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await call(warmup + index);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
  return { p50: at(0.5), p99: at(0.99), count };
}

export interface Api {
  baseUrl: string;
  token: string;
  get: (pathAndQuery: string, accept?: string) => Promise<Response>;
  json: <T>(pathAndQuery: string) => Promise<T>;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The real api process (apps/api/src/main.ts) against `databaseUrl`, with an admin token of its own. */
export async function startApi(databaseUrl: string, log: (line: string) => void): Promise<Api> {
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', path.join(root, 'tools/register.js'), path.join(root, 'apps/api/src/main.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092',
        KLP_TOPIC_PREFIX: `bench-queries-${run}.`,
        KLP_CLIENT_ID: `bench-queries-${run}`,
        KLP_TOKENS: `admin:bench-queries:${token}`,
        // The benchmark is one caller asking as fast as it can: no 429s in the measurement.
        KLP_RATE_LIMIT: '1000000',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => output.push(...chunk.split('\n').filter(Boolean).slice(-20)));
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${token}` };
  const get = (pathAndQuery: string, accept?: string) =>
    fetch(`${baseUrl}${pathAndQuery}`, { headers: accept ? { ...headers, accept } : headers });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  const json = async <T>(pathAndQuery: string): Promise<T> => {
    const response = await get(pathAndQuery);
    const body = await response.text();
    if (!response.ok) throw new Error(`GET ${pathAndQuery}: ${response.status} ${body.slice(0, 300)}`);
    return JSON.parse(body) as T;
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the api exited:\n${output.slice(-30).join('\n')}`);
    try {
      if ((await get('/v1/patches')).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the api did not answer within 90 s:\n${output.slice(-30).join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  log(`  api up on ${baseUrl}`);
  return { baseUrl, token, get, json, stop };
}

/** Reads a whole NDJSON stream, counting records (lines); records/s over the full response. */
export async function ndjsonRate(
  api: Api,
  pathAndQuery: string,
): Promise<{ records: number; perSecond: number }> {
  const started = performance.now();
  const response = await api.get(pathAndQuery, 'application/x-ndjson');
  if (!response.ok || !response.body) throw new Error(`GET ${pathAndQuery}: ${response.status}`);
  let records = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) records += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  return { records, perSecond: records / seconds };
}

/** The export's own SQL straight through pg: a cursor in a read-only snapshot, FETCH 1000 at a time. */
export async function cursorRate(
  client: Client,
  sql: string,
  params: unknown[],
): Promise<{ records: number; perSecond: number }> {
  const started = performance.now();
  let records = 0;
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query(`DECLARE bench_export NO SCROLL CURSOR FOR ${sql}`, params);
    for (;;) {
      const { rowCount } = await client.query(`FETCH 1000 FROM bench_export`);
      if (!rowCount) break;
      records += rowCount;
    }
  } finally {
    await client.query('COMMIT');
  }
  const seconds = (performance.now() - started) / 1000;
  return { records, perSecond: records / seconds };
}
