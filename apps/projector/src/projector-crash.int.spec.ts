import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Pool } from 'pg';
import { Projector } from './projector';
import { sampleFleet } from './testing/fleet-history';
import {
  brokers,
  kafkaFixture,
  produceHistory,
  waitForProjection,
  type KafkaFixture,
} from './testing/kafka-fixture';
import { checksums, type TableName } from './testing/read-back';
import { createTestDatabase, waitFor, type TestDatabase } from './testing/test-database';

// The projector as its own process (`node -r ./tools/register.js apps/projector/src/main.ts`),
// SIGKILLed while a stream is being written and projected, then restarted: its read model must equal
// a fresh projection of the same records into another schema.
const root = path.resolve(__dirname, '../../..');
const fleet = sampleFleet(23, { hosts: 200, commands: 12_000 });
const TABLES: TableName[] = [
  'hosts',
  'host_patches',
  'host_objects',
  'host_funcs',
  'command_outcomes',
  'event_log',
  'audit_log',
];
let database: TestDatabase;
let fixture: KafkaFixture;
const children: ChildProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase('crash');
  fixture = await kafkaFixture('crash', 3);
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await fixture?.close();
  await database?.drop();
});

function spawnProjector(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['-r', './tools/register.js', 'apps/projector/src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      TZ: 'UTC',
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers().join(','),
      KLP_TOPIC_PREFIX: fixture.prefix,
      KLP_PROJECTOR_GROUP: `${fixture.prefix}projector`,
      KLP_PARTITIONS: '3',
      KLP_PROJECTOR_MAX_BATCH: '300',
      // A SIGKILLed member holds its partitions until its session times out.
      KLP_PROJECTOR_SESSION_TIMEOUT_MS: '4000',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function projected(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM event_log`);
  return rows[0].n;
}

describe('the projector process', () => {
  it('refuses to start on a schema that was never migrated, and says how to fix it', async () => {
    const run = spawnProjector({ KLP_DB_SCHEMA: 'never_migrated' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/is not migrated \(missing hosts, .*npm run db:migrate/);
  });

  it('SIGKILLed mid-stream and restarted, ends with the rows of a fresh projection of the same records', async () => {
    const pool = await database.schema('klp');
    const producer = await fixture.producer();
    // The decider keeps writing while the projector runs and dies.
    const writing = produceHistory(producer, fixture.topics, fleet.events, fleet.audit, 200);

    for (let kill = 1; kill <= 2; kill++) {
      const run = spawnProjector({ KLP_DB_SCHEMA: 'klp' });
      const before = await projected(pool);
      await waitFor(
        `progress before kill ${kill}`,
        async () => (await projected(pool)) > before + 1500,
        90_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${run.output()}`);
      });
      run.child.kill('SIGKILL');
      await run.exited;
    }
    const last = spawnProjector({ KLP_DB_SCHEMA: 'klp' });
    await writing;
    await waitForProjection(pool, fixture.admin, [fixture.topics.events, fixture.topics.audit], 120_000);
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    expect(await projected(pool)).toBe(fleet.events.length);

    // The reference: another schema, another group, one uninterrupted run over the same topics.
    const fresh = await database.schema('fresh');
    const reference = new Projector({
      kafka: fixture.kafka,
      pool: fresh,
      topics: fixture.topics,
      groupId: `${fixture.prefix}reference`,
      maxBatch: 5000,
      cacheHosts: 50_000,
      log: () => undefined,
    });
    await reference.start();
    try {
      await waitForProjection(fresh, fixture.admin, [fixture.topics.events, fixture.topics.audit], 120_000);
    } finally {
      await reference.stop();
    }
    expect(await checksums(pool, TABLES)).toEqual(await checksums(fresh, TABLES));
  }, 300_000);
});
