import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { auditMembers } from '@klp/contracts';
import { PartitionReader, provisionTopics, topicNames } from '@klp/kafka';
import { dropDatabase, ensureDatabase, migrate } from '@klp/store';
import { migrations } from '../migrations';
import { stop } from './decider.bench';
import { committed, preload, sampledRate, windowRate } from './kafka-progress';
import { operationsWorkload } from './workload';

const root = path.resolve(__dirname, '..');

export interface ProjectorRun {
  /** Events fully projected (both topics) per second, from the end of the warm-up until the backlog drained. */
  eventsPerSecond: number;
  /** The same over only the first `seconds` after the warm-up, while klp.events still runs ahead. */
  eventsPerSecondFirstWindow: number;
  /** Rows of event_log and audit_log per event, in this workload. */
  auditPerEvent: number;
  /** Postgres COPY of the same event_log and audit_log rows into same-shaped tables, rows/s. */
  copyRowsPerSecond: number;
  /** The projector's own rate in the same unit: log rows (events + audit records) per second. */
  projectorRowsPerSecond: number;
}

/** KLP_BENCH_CPU_PROF=<dir>: the apps run with --cpu-prof and are stopped with SIGTERM, so the profile is written. */
const profileDir = process.env.KLP_BENCH_CPU_PROF;

function spawnApp(app: string, env: NodeJS.ProcessEnv): ChildProcess {
  const profile = profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${app}.cpuprofile`]
    : [];
  const child = spawn(
    process.execPath,
    [...profile, '-r', path.join(root, 'tools/register.js'), path.join(root, `apps/${app}/src/main.ts`)],
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
  if (child) await stop(child, profileDir ? 'SIGTERM' : 'SIGKILL');
}

/** Topics holding the decided workload: klp.events and klp.audit as the real decider wrote them. */
export interface DecidedBacklog {
  readonly prefix: string;
  readonly topics: ReturnType<typeof topicNames>;
  /** Offsets of klp.events (events and transaction markers). */
  readonly eventRecords: number;
  /** Offsets of klp.audit: a Kafka record holds one command's audit records (ADR 0013). */
  readonly auditOffsets: number;
  /** The audit records those hold. */
  readonly auditRecords: number;
  readonly drop: () => Promise<void>;
}

/** The audit records a klp.audit topic holds, counted by reading it whole. */
async function countAuditRecords(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const reader = new PartitionReader(kafka, { groupId: `${topic}-count-${Date.now()}`, topics: [topic] });
  await reader.start();
  let records = 0;
  try {
    for (const { partition, low, high } of await admin.fetchTopicOffsets(topic)) {
      await reader.read({ topic, partition, from: BigInt(low), to: BigInt(high) }, (messages) => {
        for (const message of messages)
          records += auditMembers(JSON.parse(message.value?.toString('utf8') ?? 'null')).length;
      });
    }
  } finally {
    await reader.stop();
    await admin.disconnect();
  }
  return records;
}

/** Preloads `commands` of the workload and lets the real decider decide them all. */
export async function decideBacklog(
  kafka: Kafka,
  brokers: string[],
  options: { commands: number; seed: number; hosts: number },
): Promise<DecidedBacklog> {
  const prefix = `bench-projector-${Date.now().toString(36)}.`;
  const topics = topicNames(prefix);
  const admin = kafka.admin();
  await admin.connect();
  let decider: ChildProcess | undefined;
  const drop = async () => {
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  };
  try {
    await provisionTopics(admin, { partitions: 12, prefix });
    const loaded = await preload(
      kafka,
      topics.commands,
      operationsWorkload(options.hosts, options.seed),
      options.commands,
    );
    decider = spawnApp('decider', {
      KAFKA_BROKERS: brokers.join(','),
      KLP_TOPIC_PREFIX: prefix,
      KLP_PARTITIONS: '12',
    });
    await sampledRate(() => committed(admin, `${prefix}klp-decider`, topics.commands), 'decider', {
      warmupSeconds: 0,
      seconds: 3600,
      total: loaded,
      onTick: (done) => process.stderr.write(`\r  deciding the backlog: ${done}/${loaded}   `),
    });
    process.stderr.write('\n');
    await kill(decider);
    const ends = async (topic: string) =>
      (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
    return {
      prefix,
      topics,
      eventRecords: await ends(topics.events),
      auditOffsets: await ends(topics.audit),
      auditRecords: await countAuditRecords(kafka, topics.audit),
      drop,
    };
  } catch (error) {
    await kill(decider);
    await drop();
    throw error;
  }
}

/** A fresh, migrated database for one measurement; dropped by `drop`. */
async function scratchDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const database = new URL(serverUrl);
  database.pathname = `/klp_bench_${Date.now().toString(36)}`;
  const url = database.toString();
  await ensureDatabase(url);
  await migrate({ url, schema: 'klp', migrations });
  return {
    url,
    drop: () => dropDatabase(url),
  };
}

/** The longest a projector run may take to drain its backlog. */
const DRAIN_CAP_SECONDS = 900;

/**
 * The projector on real decider output: a projector process starts on the full backlog of
 * klp.events and klp.audit into a fresh database, and its stored offsets are sampled. The raw
 * limit is COPY of the very rows it wrote, measured right after.
 */
export async function measureProjector(
  backlog: DecidedBacklog,
  brokers: string[],
  serverUrl: string,
  options: { seconds: number; synchronousCommit?: 'on' | 'off'; copyLimit?: boolean },
): Promise<ProjectorRun> {
  const database = await scratchDatabase(serverUrl);
  const db = new Client({ connectionString: database.url, options: '-c search_path=klp' });
  let projector: ChildProcess | undefined;
  try {
    await db.connect();
    // The projector applies klp.events and klp.audit partitions independently, and the events run
    // ahead of their audit records: an event counts as projected once both topics have passed it
    // (the slower topic's share of its offsets, in events).
    const progress = async () => {
      const result = await db.query<{ topic: string; n: string }>(
        `SELECT topic, sum(next_offset)::text AS n FROM projection_offsets WHERE topic = ANY($1) GROUP BY topic`,
        [[backlog.topics.events, backlog.topics.audit]],
      );
      const done = new Map(result.rows.map((row) => [row.topic, Number(row.n)]));
      const share = Math.min(
        (done.get(backlog.topics.events) ?? 0) / backlog.eventRecords,
        (done.get(backlog.topics.audit) ?? 0) / backlog.auditOffsets,
      );
      return Math.round(share * backlog.eventRecords);
    };
    projector = spawnApp('projector', {
      KAFKA_BROKERS: brokers.join(','),
      KLP_TOPIC_PREFIX: backlog.prefix,
      KLP_PARTITIONS: '12',
      DATABASE_URL: database.url,
      // A group of its own per run: a run never starts from another's committed position.
      KLP_PROJECTOR_GROUP: `klp-projector-${Date.now().toString(36)}`,
      KLP_PROJECTOR_SYNCHRONOUS_COMMIT: options.synchronousCommit ?? 'off',
    });
    // Until the backlog is drained: in its first minute the events consumer runs ahead and takes
    // CPU the audit consumer gets back later, so a window shorter than the drain misjudges the rate
    // a live projector (whose events cannot run ahead) sustains.
    const { rate, samples } = await sampledRate(progress, 'projector', {
      warmupSeconds: 5,
      seconds: DRAIN_CAP_SECONDS,
      total: backlog.eventRecords,
      onTick: (done) => process.stderr.write(`\r  projector: ${done}/${backlog.eventRecords} events   `),
    });
    process.stderr.write('\n');
    await kill(projector);
    const auditPerEvent = backlog.auditRecords / backlog.eventRecords;
    const copyRowsPerSecond = options.copyLimit === false ? NaN : await copyLimit(db, database.url);
    return {
      eventsPerSecond: rate,
      eventsPerSecondFirstWindow: windowRate(samples, samples[0].at + 5000, options.seconds),
      auditPerEvent,
      copyRowsPerSecond,
      projectorRowsPerSecond: rate * (1 + auditPerEvent),
    };
  } finally {
    await kill(projector);
    await db.end().catch(() => undefined);
    await database.drop();
  }
}

export interface RebuildRun {
  seconds: number;
  events: number;
  audit: number;
}

/**
 * `npm run projections:rebuild` as deployed (its own process) over the whole backlog, into a
 * fresh database: the wall time from start to the swap, as the rebuild reports it.
 */
export async function measureRebuild(
  backlog: DecidedBacklog,
  brokers: string[],
  serverUrl: string,
): Promise<RebuildRun> {
  const database = await scratchDatabase(serverUrl);
  try {
    const child = spawn(
      process.execPath,
      ['-r', path.join(root, 'tools/register.js'), path.join(root, 'apps/projector/src/rebuild/main.ts')],
      {
        cwd: root,
        env: {
          ...process.env,
          KAFKA_BROKERS: brokers.join(','),
          KLP_TOPIC_PREFIX: backlog.prefix,
          KLP_PARTITIONS: '12',
          DATABASE_URL: database.url,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = chunk.toString().trim().split('\n').pop() ?? '';
      process.stderr.write(`\r  rebuild: ${line.slice(0, 110)}   `);
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    process.stderr.write('\n');
    const report = /rebuilt \S+ \(as \S+\) in ([\d.]+) s: (\d+) klp.events and (\d+) klp.audit offsets/.exec(
      output,
    );
    if (code !== 0 || !report) throw new Error(`the rebuild failed (exit ${code}):\n${output.slice(-2000)}`);
    return { seconds: Number(report[1]), events: Number(report[2]), audit: Number(report[3]) };
  } finally {
    await database.drop();
  }
}

/**
 * COPY of the rows the projector wrote into same-shaped, indexed tables: the rows are first read
 * out in COPY text format into memory (up to `sampleRows` per table), then only the COPY in is
 * timed. (Piping COPY TO of one connection straight into COPY FROM of another stalled.)
 */
async function copyLimit(db: Client, url: string, sampleRows = 1_000_000): Promise<number> {
  const reader = new Client({ connectionString: url, options: '-c search_path=klp' });
  await reader.connect();
  try {
    const samples: { table: string; chunks: Buffer[]; rows: number }[] = [];
    for (const table of ['event_log', 'audit_log']) {
      await db.query(`CREATE TABLE raw_${table} (LIKE ${table} INCLUDING DEFAULTS INCLUDING INDEXES)`);
      const chunks: Buffer[] = [];
      const out = reader.query(copyTo(`COPY (SELECT * FROM ${table} LIMIT ${sampleRows}) TO STDOUT`));
      for await (const chunk of out) chunks.push(chunk as Buffer);
      samples.push({ table, chunks, rows: out.rowCount ?? 0 });
    }
    const started = Date.now();
    for (const { table, chunks } of samples) {
      await pipeline(Readable.from(chunks), db.query(copyFrom(`COPY raw_${table} FROM STDIN`)));
    }
    const rows = samples.reduce((sum, sample) => sum + sample.rows, 0);
    return (rows * 1000) / (Date.now() - started);
  } finally {
    await reader.end();
  }
}
