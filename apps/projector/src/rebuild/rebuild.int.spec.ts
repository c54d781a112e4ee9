import { spawn } from 'node:child_process';
import path from 'node:path';
import { view } from '@klp/domain';
import { createReadModelPool, patchRollup, readHostView } from '@klp/store';
import type { Pool } from 'pg';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { migrations } from '../../../../migrations';
import { Projector } from '../projector';
import { sampleFleet } from '../testing/fleet-history';
import {
  brokers,
  kafkaFixture,
  produceHistory,
  waitForProjection,
  type KafkaFixture,
} from '../testing/kafka-fixture';
import { checksums, readHostViews, type TableName } from '../testing/read-back';
import { createTestDatabase, waitFor, type TestDatabase } from '../testing/test-database';
import { Progress } from './progress';
import { rebuildProjections } from './rebuild';
import { replayInThreads } from './replay-threads';

// A live projector keeps projecting while commands flow; the rebuild replays the same topics into
// a fresh schema and swaps it in. The api's queries against `klp` never fail, and the live
// projector goes on in the swapped-in schema: every event once, the rows of a fresh projection.
const root = path.resolve(__dirname, '../../../..');
const fleet = sampleFleet(41, { hosts: 100, commands: 5000 });
const [a, b, c] = [0.6, 0.8, 0.9].map((share) => Math.floor(fleet.events.length * share));
const TABLES: TableName[] = ['hosts', 'host_patches', 'host_objects', 'host_funcs'];
const LOGS: TableName[] = ['command_outcomes', 'event_log', 'audit_log'];
let database: TestDatabase;
let fixture: KafkaFixture;
let live: Pool;
let api: Pool;
let projector: Projector;
const projectorErrors: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase('rebuild');
  live = await database.schema('klp');
  api = createReadModelPool({ url: database.url, schema: 'klp', max: 2, applicationName: 'spec-api' });
  api.on('error', () => undefined);
  fixture = await kafkaFixture('rebuild', 3);
  projector = new Projector({
    kafka: fixture.kafka,
    pool: live,
    topics: fixture.topics,
    groupId: `${fixture.prefix}projector`,
    maxBatch: 500,
    cacheHosts: 1000,
    concurrency: 2,
    log: (level, message) => {
      if (level === 'error' || level === 'fatal') projectorErrors.push(message);
    },
  });
  await projector.start();
}, 60_000);
afterAll(async () => {
  await projector?.stop();
  await api?.end();
  await fixture?.close();
  await database?.drop();
});

/** The api's reads, in a loop: a host view, the per-patch roll-up, and a named (prepared) statement. */
function serveQueries() {
  const phases = { before: 0, during: 0, after: 0 };
  let phase: keyof typeof phases = 'before';
  const failures: string[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      try {
        await readHostView(api, `h${i % 100}`);
        await patchRollup(api);
        await api.query({ name: 'count-hosts', text: 'SELECT count(*)::int AS n FROM hosts' });
        phases[phase] += 1;
      } catch (error) {
        failures.push(`${phase}: ${(error as Error).message}`);
      }
    }
  })();
  return {
    phases,
    failures,
    set phase(next: keyof typeof phases) {
      phase = next;
    },
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

async function referenceProjection(schema: string): Promise<Pool> {
  const pool = await database.schema(schema);
  const reference = new Projector({
    kafka: fixture.kafka,
    pool,
    topics: fixture.topics,
    groupId: `${fixture.prefix}${schema}`,
    maxBatch: 5000,
    cacheHosts: 50_000,
    log: () => undefined,
  });
  await reference.start();
  try {
    await waitForProjection(pool, fixture.admin, [fixture.topics.events, fixture.topics.audit], 120_000);
  } finally {
    await reference.stop();
  }
  return pool;
}

/** Every index of the pool's schema, its definition without the schema name. */
const indexDefinitions = async (pool: Pool) =>
  (
    await pool.query<{ definition: string }>(
      `SELECT replace(indexdef, schemaname || '.', '') AS definition
         FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1`,
    )
  ).rows.map((row) => row.definition);

const topicsOf = () => [fixture.topics.events, fixture.topics.audit];
const schemas = async () =>
  (
    await live.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'klp%' ORDER BY 1`,
    )
  ).rows.map((row) => row.nspname);

describe('npm run projections:rebuild', () => {
  it('rebuilds while commands flow and the api serves, swaps fenced, and the live projector goes on exactly once', async () => {
    const producer = await fixture.producer();
    await produceHistory(producer, fixture.topics, fleet.events.slice(0, a), fleet.audit);
    await waitForProjection(live, fixture.admin, topicsOf(), 120_000);
    const queries = serveQueries();
    await waitFor('the api to serve before the rebuild', () => queries.phases.before >= 5);

    queries.phase = 'during';
    const flowing = produceHistory(producer, fixture.topics, fleet.events.slice(a, b), fleet.audit, 40);
    const lines: string[] = [];
    const report = await rebuildProjections({
      url: database.url,
      kafka: fixture.kafka,
      topics: fixture.topics,
      groupPrefix: `${fixture.prefix}rebuild`,
      schema: 'klp',
      migrations,
      maxBatch: 5000,
      concurrency: 2,
      swapLag: 2000,
      replayThreads: { brokers: brokers(), logLevel: 'warn' },
      log: () => undefined,
      progress: (line) => lines.push(line),
      progressIntervalMs: 200,
      // Caught up: more commands, projected live before the fence, so the swap has to replay them fenced.
      beforeSwap: async () => {
        await flowing;
        await produceHistory(producer, fixture.topics, fleet.events.slice(b, c), fleet.audit, 100);
        await waitForProjection(live, fixture.admin, topicsOf(), 120_000);
      },
    });
    queries.phase = 'after';
    await flowing;
    // After the swap: new records go into the swapped-in schema, through the same projector.
    await produceHistory(producer, fixture.topics, fleet.events.slice(c), fleet.audit);
    await waitForProjection(live, fixture.admin, topicsOf(), 120_000);
    await queries.stop();

    const replayed = report.replayed.events + report.replayed.audit;
    process.stderr.write(
      `rebuild: ${report.replayed.events} event offsets + ${report.replayed.audit} audit offsets in ${report.ms} ms ` +
        `(${Math.round((replayed * 1000) / report.ms)} records/s, ${Math.round((report.replayed.events * 1000) / report.ms)} events/s), ` +
        `${report.rounds} round(s), fenced ${report.fencedMs} ms with ${report.fencedOffsets} offsets; ` +
        `queries before/during/after ${JSON.stringify(queries.phases)}\n`,
    );
    expect(report.replayed.events).toBeGreaterThan(b);
    expect(report.fencedOffsets).toBeGreaterThan(0);
    expect(lines.some((line) => /events\/s.*left/.test(line))).toBe(true);
    expect(queries.failures).toEqual([]);
    expect(Math.min(...Object.values(queries.phases))).toBeGreaterThan(0);
    expect(projectorErrors).toEqual([]);
    expect(await schemas()).toEqual(['klp']);
    expect(report.keptOld).toBeNull();

    // Every event once, every host as the domain views it, the rows of a fresh projection.
    const count = async (table: string) =>
      (await live.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
    expect(await count('event_log')).toBe(fleet.events.length);
    expect(await count('audit_log')).toBe(fleet.audit.length);
    const views = await readHostViews(live);
    for (const [hostId, state] of fleet.states) expect(views.get(hostId) ?? null).toEqual(view(state));
    const fresh = await referenceProjection('reference');
    expect(await checksums(live, [...TABLES, ...LOGS])).toEqual(await checksums(fresh, [...TABLES, ...LOGS]));
    // The indexes it built after its first round are the migrations', partition by partition.
    expect(report.deferredIndexes).toEqual(
      expect.arrayContaining(['audit_log_by_patch', 'audit_heads_by_time', 'patch_state_history_at']),
    );
    expect(await indexDefinitions(live)).toEqual(await indexDefinitions(fresh));
    const invalid = await live.query(
      `SELECT i.indexrelid::regclass::text AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid`,
    );
    expect(invalid.rows).toEqual([]);
  }, 300_000);

  it('as a process: validates its config, shows progress, keeps the old schema with --keep-old', async () => {
    const run = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['-r', './tools/register.js', 'apps/projector/src/rebuild/main.ts', ...args],
          {
            cwd: root,
            env: { PATH: process.env.PATH, TZ: 'UTC', LOG_LEVEL: 'warn', ...env },
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        let output = '';
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.once('exit', (code) => resolve({ code, output }));
      });
    const bad = await run([], { DATABASE_URL: 'mysql://nope' });
    expect(bad.code).toBe(1);
    expect(bad.output).toMatch(/DATABASE_URL/);

    const before = await checksums(live, TABLES);
    const ok = await run(['--keep-old'], {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers().join(','),
      KLP_TOPIC_PREFIX: fixture.prefix,
      KLP_DB_SCHEMA: 'klp',
    });
    expect(ok).toEqual({
      code: 0,
      output: expect.stringMatching(/events\/s.*left[\s\S]*old schema kept as klp_old_/),
    });
    const kept = (await schemas()).filter((name) => name.startsWith('klp_old_'));
    expect(kept).toHaveLength(1);
    expect(await checksums(live, TABLES)).toEqual(before);
    await live.query(`DROP SCHEMA ${kept[0]} CASCADE`);
  }, 120_000);

  it('fails the threaded round with the error of the thread that failed', async () => {
    // A schema the migrations never laid: the audit thread's first batch finds no tables.
    const ends = await fixture.admin.fetchTopicOffsets(fixture.topics.audit);
    const ranges = ends.map(({ partition, high }) => ({
      topic: fixture.topics.audit,
      partition,
      from: 0n,
      to: BigInt(high),
    }));
    expect(ranges.some((range) => range.to > 0n)).toBe(true);
    const replay = replayInThreads(
      ranges,
      new Map([[fixture.topics.audit, 'audit' as const]]),
      {
        url: database.url,
        schema: 'klp_never_laid',
        concurrency: 1,
        brokers: brokers(),
        clientId: 'spec-replay-thread',
        maxBatch: 500,
        writer: 'hybrid',
        logLevel: 'silent',
      },
      `${fixture.prefix}failing-replay`,
      new Progress(() => undefined),
      () => undefined,
    );
    await expect(replay).rejects.toThrow(/rebuild replay failed: .*audit.*projection_offsets/);
  }, 60_000);
});
