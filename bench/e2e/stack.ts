import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createKafka, provisionTopics } from '@klp/kafka';
import { ensureDatabase, migrate } from '@klp/store';
import { migrations } from '../../migrations';
import { stopProcess, waitFor } from '../../test/e2e/stack';

const repositoryRoot = path.resolve(__dirname, '../..');

/**
 * Like test/e2e/stack.ts's startApp, from a given checkout: KLP_BENCH_E2E_ROOT points the apps at
 * another tree (a copy with a change under test) without touching this one.
 */
function startApp(app: string, env: NodeJS.ProcessEnv, log: (line: string) => void): ChildProcess {
  const root = process.env.KLP_BENCH_E2E_ROOT ?? repositoryRoot;
  const child = spawn(
    process.execPath,
    ['-r', path.join(root, 'tools/register.js'), path.join(root, `apps/${app}/src/main.ts`)],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach(log));
  }
  return child;
}

export interface BenchStack {
  baseUrl: string;
  databaseUrl: string;
  brokers: string[];
  topicPrefix: string;
  tokens: { admin: string; operator: string; agent: string };
  /** The glob the agent token is limited to; every benchmark host id matches it. */
  hostPrefix: string;
  apps: Map<string, ChildProcess>;
  logs: () => string;
  /** CPU seconds (user + system) each app, and this process ('bench'), have used so far. */
  cpu: () => Record<string, number>;
  stop: () => Promise<void>;
}

const TICKS_PER_SECOND = 100;

function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    // /proc/<pid>/stat: fields 14 and 15 (utime, stime) after the parenthesised command name.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Every child this process started, killed on a hard exit so that none outlives the bench. */
const children = new Set<ChildProcess>();
let exitHook = false;
/** The stop() of every stack not stopped yet, for a signal handler. */
const active = new Set<() => Promise<void>>();

/** Stops every stack this process started and has not stopped yet (on SIGINT, say). */
export async function stopAllStacks(): Promise<void> {
  await Promise.allSettled([...active].map((stop) => stop()));
}
function killOnExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

/**
 * The production stack for the latency benchmark: decider, projector and api as real processes
 * (`node -r tools/register.js apps/X/src/main.ts`) on fresh topics under an own prefix with the
 * production partition count, and a fresh database. Unlike test/e2e/stack.ts it uses 12
 * partitions, lifts the api's per-token rate limit (one operator and one agent token send up to
 * 2,000 commands/s here; the default of 500/s would answer 429) and deletes its topics again.
 * `stop()` is safe to call twice and after a failed start.
 */
export async function startBenchStack(options: {
  brokers: string[];
  serverUrl: string;
  partitions?: number;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}): Promise<BenchStack> {
  killOnExit();
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const databaseName = `klp_bench_e2e_${run}`;
  const database = new URL(options.serverUrl);
  database.pathname = `/${databaseName}`;
  const databaseUrl = database.toString();
  const topicPrefix = `bench-e2e-${run}.`;
  const partitions = options.partitions ?? 12;
  const brokers = options.brokers;
  const kafka = createKafka({ brokers, clientId: `bench-e2e-${run}`, logLevel: 'nothing' });
  const output: string[] = [];
  const apps = new Map<string, ChildProcess>();
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    active.delete(stop);
    await Promise.all([...apps.values()].map(stopProcess));
    const problems: string[] = [];
    const client = new Client({ connectionString: options.serverUrl });
    try {
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
    } catch (error) {
      problems.push(`dropping ${databaseName}: ${(error as Error).message}`);
    } finally {
      await client.end().catch(() => undefined);
    }
    const admin = kafka.admin();
    try {
      await admin.connect();
      const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(topicPrefix));
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
      const groups = (await admin.listGroups()).groups
        .map((group) => group.groupId)
        .filter((groupId) => groupId.startsWith(topicPrefix));
      if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
    } catch (error) {
      problems.push(`deleting topics ${topicPrefix}*: ${(error as Error).message}`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (problems.length > 0) process.stderr.write(`  e2e cleanup: ${problems.join('; ')}\n`);
  };

  active.add(stop);
  const secret = () => randomBytes(12).toString('hex');
  const tokens = { admin: secret(), operator: secret(), agent: secret() };
  const hostPrefix = 'bench-';
  const port = 20000 + Math.floor(Math.random() * 20000);
  try {
    await ensureDatabase(databaseUrl);
    await migrate({ url: databaseUrl, schema: 'klp', migrations });
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, { partitions, prefix: topicPrefix }).finally(() => admin.disconnect());

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      KAFKA_BROKERS: brokers.join(','),
      DATABASE_URL: databaseUrl,
      KLP_DB_SCHEMA: 'klp',
      KLP_PARTITIONS: String(partitions),
      KLP_TOPIC_PREFIX: topicPrefix,
      KLP_CLIENT_ID: `bench-e2e-${run}`,
      KLP_RATE_LIMIT: '1000000',
      KLP_TOKENS: [
        `admin:bench-admin:${tokens.admin}`,
        `operator:bench-operator:${tokens.operator}`,
        `agent:bench-agent:${tokens.agent}:${hostPrefix}*`,
      ].join(','),
      LOG_LEVEL: 'warn',
      ...options.env,
    };
    for (const app of ['decider', 'projector', 'api']) {
      const child = startApp(app, env, (line) => {
        output.push(`${app}: ${line}`);
        if (output.length > 400) output.splice(0, 200);
        options.log?.(`${app}: ${line}`);
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      apps.set(app, child);
    }
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${baseUrl}/health/ready`)).ok, 90_000, 'the api to be ready');
    return {
      baseUrl,
      databaseUrl,
      brokers,
      topicPrefix,
      tokens,
      hostPrefix,
      apps,
      logs: () => output.slice(-60).join('\n'),
      cpu: () => {
        const usage = process.cpuUsage();
        return {
          ...Object.fromEntries([...apps].map(([app, child]) => [app, cpuSeconds(child.pid)])),
          bench: (usage.user + usage.system) / 1e6,
        };
      },
      stop,
    };
  } catch (error) {
    const logs = output.slice(-60).join('\n');
    await stop();
    throw new Error(`${(error as Error).message}\n${logs}`);
  }
}
