import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { createKafka, provisionTopics, topicNames } from '@klp/kafka';
import { ensureDatabase, migrate } from '@klp/store';
import { migrations } from '../../migrations';

const root = path.resolve(__dirname, '../..');

export interface Stack {
  baseUrl: string;
  databaseUrl: string;
  tokens: { admin: string; operator: string; auditor: string; agent: string };
  env: NodeJS.ProcessEnv;
  apps: Map<string, ChildProcess>;
  /** Recent output of every app, for failure messages. */
  logs: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts decider, projector and api as real processes against the real broker and a fresh
 * database, the way `npm start` does, with their own topics (a prefix) so runs never meet.
 */
export async function startStack(options: { apps?: string[]; port?: number } = {}): Promise<Stack> {
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const serverUrl = process.env.KLP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = new URL(serverUrl);
  database.pathname = `/klp_e2e_${run}`;
  const databaseUrl = database.toString();
  await ensureDatabase(databaseUrl);
  await migrate({ url: databaseUrl, schema: 'klp', migrations });

  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
  const topicPrefix = `e2e-${run}.`;
  const partitions = 3;
  const admin = createKafka({ brokers, clientId: 'e2e-setup', logLevel: 'nothing' }).admin();
  await admin.connect();
  await provisionTopics(admin, { partitions, prefix: topicPrefix }).finally(() => admin.disconnect());

  const secret = () => randomBytes(12).toString('hex');
  const tokens = { admin: secret(), operator: secret(), auditor: secret(), agent: secret() };
  const port = options.port ?? 20000 + Math.floor(Math.random() * 20000);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    KAFKA_BROKERS: brokers.join(','),
    DATABASE_URL: databaseUrl,
    KLP_PARTITIONS: String(partitions),
    KLP_TOPIC_PREFIX: topicPrefix,
    KLP_CLIENT_ID: `e2e-${run}`,
    KLP_TOKENS: [
      `admin:e2e-admin:${tokens.admin}`,
      `operator:e2e-operator:${tokens.operator}`,
      `auditor:e2e-auditor:${tokens.auditor}`,
      `agent:e2e-agent:${tokens.agent}:sim-*`,
    ].join(','),
    LOG_LEVEL: 'warn',
  };

  const output: string[] = [];
  const apps = new Map<string, ChildProcess>();
  for (const app of options.apps ?? ['decider', 'projector', 'api']) {
    apps.set(
      app,
      startApp(app, env, (line) => output.push(`${app}: ${line}`)),
    );
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  const stack: Stack = {
    baseUrl,
    databaseUrl,
    tokens,
    env,
    apps,
    logs: () => output.slice(-60).join('\n'),
    stop: async () => {
      await Promise.all([...apps.values()].map(stopProcess));
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "klp_e2e_${run}" WITH (FORCE)`).catch(() => undefined);
      await client.end();
    },
  };
  try {
    await waitFor(async () => (await fetch(`${baseUrl}/health/ready`)).ok, 60_000, 'the api to be ready');
  } catch (error) {
    await stack.stop();
    throw new Error(`${(error as Error).message}\n${stack.logs()}`);
  }
  return stack;
}

export function startApp(app: string, env: NodeJS.ProcessEnv, log: (line: string) => void): ChildProcess {
  const child = spawn(
    process.execPath,
    ['-r', path.join(root, 'tools/register.js'), path.join(root, `apps/${app}/src/main.ts`)],
    {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach(log));
  }
  return child;
}

export function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** How many records klp.commands of this stack holds: a test's proof that nothing was sent. */
export async function commandTopicEnd(stack: Stack): Promise<number> {
  const admin = createKafka({
    brokers: stack.env.KAFKA_BROKERS!.split(','),
    clientId: 'e2e-probe',
    logLevel: 'nothing',
  }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topicNames(stack.env.KLP_TOPIC_PREFIX).commands);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}
