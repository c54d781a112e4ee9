import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { provisionTopics, topicNames } from '@klp/kafka';
import { ensureDatabase, migrate } from '@klp/store';
import { migrations } from '../migrations';
import { committed, preload, sampledRate } from './kafka-progress';
import { operationsWorkload } from './workload';

const root = path.resolve(__dirname, '..');

export interface ProjectorRun {
  eventsPerSecond: number;
  /** Rows of event_log and audit_log per event, in this workload. */
  auditPerEvent: number;
  /** Postgres COPY of the same event_log and audit_log rows into same-shaped tables, rows/s. */
  copyRowsPerSecond: number;
  /** The projector's own rate in the same unit: log rows (events + audit records) per second. */
  projectorRowsPerSecond: number;
}

function spawnApp(app: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(
    process.execPath,
    ['-r', path.join(root, 'tools/register.js'), path.join(root, `apps/${app}/src/main.ts`)],
    {
      cwd: root,
      env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`  [${app}] ${chunk.toString()}`));
  return child;
}

async function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/**
 * The projector on real decider output: the workload is decided first (by the real decider), then
 * a projector starts on the full backlog of klp.events and klp.audit into a fresh database, and
 * its stored offsets are sampled. The raw limit is COPY of the very rows it wrote.
 */
export async function measureProjector(
  kafka: Kafka,
  brokers: string[],
  serverUrl: string,
  options: { commands: number; seconds: number; seed: number; hosts: number },
): Promise<ProjectorRun> {
  const prefix = `bench-projector-${Date.now().toString(36)}.`;
  const topics = topicNames(prefix);
  const database = new URL(serverUrl);
  database.pathname = `/klp_bench_${Date.now().toString(36)}`;
  const url = database.toString();
  const env = {
    KAFKA_BROKERS: brokers.join(','),
    KLP_TOPIC_PREFIX: prefix,
    KLP_PARTITIONS: '12',
    DATABASE_URL: url,
  };
  const admin = kafka.admin();
  await admin.connect();
  let decider: ChildProcess | undefined;
  let projector: ChildProcess | undefined;
  const db = new Client({ connectionString: url, options: '-c search_path=klp' });
  try {
    await provisionTopics(admin, { partitions: 12, prefix });
    const loaded = await preload(
      kafka,
      topics.commands,
      operationsWorkload(options.hosts, options.seed),
      options.commands,
    );
    decider = spawnApp('decider', env);
    await sampledRate(() => committed(admin, `${prefix}klp-decider`, topics.commands), 'decider', {
      warmupSeconds: 0,
      seconds: 3600,
      total: loaded,
      onTick: (done) => process.stderr.write(`\r  deciding the backlog: ${done}/${loaded}   `),
    });
    await kill(decider);
    const ends = async (topic: string) =>
      (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
    const [eventRecords, auditRecords] = [await ends(topics.events), await ends(topics.audit)];

    await ensureDatabase(url);
    await migrate({ url, schema: 'klp', migrations });
    await db.connect();
    const progress = async () => {
      const result = await db.query<{ n: string | null }>(
        `SELECT sum(next_offset)::text AS n FROM projection_offsets WHERE topic = $1`,
        [topics.events],
      );
      return Number(result.rows[0]?.n ?? 0);
    };
    process.stderr.write('\n');
    projector = spawnApp('projector', env);
    const { rate } = await sampledRate(progress, 'projector', {
      warmupSeconds: 5,
      seconds: options.seconds,
      total: eventRecords,
      onTick: (done) => process.stderr.write(`\r  projector: ${done}/${eventRecords} events   `),
    });
    await kill(projector);
    const auditPerEvent = auditRecords / eventRecords;
    const copyRowsPerSecond = await copyLimit(db, url);
    return {
      eventsPerSecond: rate,
      auditPerEvent,
      copyRowsPerSecond,
      projectorRowsPerSecond: rate * (1 + auditPerEvent),
    };
  } finally {
    process.stderr.write('\n');
    await kill(decider);
    await kill(projector);
    await db.end().catch(() => undefined);
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
    const server = new Client({ connectionString: serverUrl });
    await server.connect();
    await server.query(`DROP DATABASE IF EXISTS "${database.pathname.slice(1)}" WITH (FORCE)`);
    await server.end();
  }
}

/** COPY out the rows the projector wrote, then COPY them into same-shaped, indexed tables. */
async function copyLimit(db: Client, url: string): Promise<number> {
  const reader = new Client({ connectionString: url, options: '-c search_path=klp' });
  await reader.connect();
  try {
    let rows = 0;
    for (const table of ['event_log', 'audit_log']) {
      await db.query(`CREATE TABLE raw_${table} (LIKE ${table} INCLUDING DEFAULTS INCLUDING INDEXES)`);
      rows += Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`)).rows[0].n);
    }
    const started = Date.now();
    for (const table of ['event_log', 'audit_log']) {
      await pipeline(
        reader.query(copyTo(`COPY (SELECT * FROM ${table}) TO STDOUT`)),
        db.query(copyFrom(`COPY raw_${table} FROM STDIN`)),
      );
    }
    return (rows * 1000) / (Date.now() - started);
  } finally {
    await reader.end();
  }
}
