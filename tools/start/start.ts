/**
 * `npm start`: the whole service on one machine. Starts the local Kafka broker unless
 * KAFKA_BROKERS is set, uses DATABASE_URL or the local (or an embedded) Postgres, migrates,
 * provisions the topics, starts every app with the same configuration, prints the URLs and
 * tokens, and on Ctrl-C stops everything it started, in reverse order.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { DEFAULTS } from '@klp/config';
import { createKafka, provisionTopics } from '@klp/kafka';
import { DEFAULT_READ_SCHEMA, ensureDatabase, migrate } from '@klp/store';
import { migrations } from '../../migrations';
import { ensurePostgres } from './postgres';
import { type AppProcess, appExists, startApp, stopAll, waitForHttp } from './processes';
import { demoTokens } from './tokens';

interface BrokerHandle {
  brokers: string[];
  startedByUs: boolean;
  stop: () => Promise<void>;
}
// tools/kafka is plain JavaScript shared with the Jest setup and the shell scripts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBroker } = require('../kafka/broker') as { ensureBroker: () => Promise<BrokerHandle> };

const root = path.resolve(__dirname, '../..');
const APPS = ['decider', 'projector', 'api', 'fleet-sim'];
const cleanups: Array<{ what: string; run: () => Promise<void> }> = [];
let stopping = false;

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? DEFAULTS.PORT);
  const partitions = Number(process.env.KLP_PARTITIONS ?? DEFAULTS.KLP_PARTITIONS);

  console.log('▶ Kafka');
  const broker = await ensureBroker();
  if (broker.startedByUs) cleanups.push({ what: 'Kafka broker', run: broker.stop });
  console.log(`  ${broker.startedByUs ? 'started' : 'using'} ${broker.brokers.join(',')}`);

  console.log('▶ Postgres');
  const postgres = await ensurePostgres(process.env, path.join(root, '.cache'));
  if (postgres.source === 'embedded') cleanups.push({ what: 'embedded Postgres', run: postgres.stop });
  console.log(`  ${postgres.source}: ${postgres.url.replace(/:[^:@/]+@/, ':***@')}`);
  await ensureDatabase(postgres.url);
  const schema = process.env.KLP_DB_SCHEMA ?? DEFAULT_READ_SCHEMA;
  const applied = await migrate({ url: postgres.url, schema, migrations });
  console.log(`  schema ${schema}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);

  console.log('▶ Topics');
  const admin = createKafka({ brokers: broker.brokers, clientId: 'klp-start' }).admin();
  await admin.connect();
  const topics = await provisionTopics(admin, { partitions }).finally(() => admin.disconnect());
  console.log(`  created [${topics.created.join(', ')}], existing [${topics.existing.join(', ')}]`);

  const tokens = process.env.KLP_TOKENS ? undefined : demoTokens();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    KAFKA_BROKERS: broker.brokers.join(','),
    DATABASE_URL: postgres.url,
    KLP_PARTITIONS: String(partitions),
    KLP_TOKENS: process.env.KLP_TOKENS ?? tokens?.value,
    KLP_API_URL: process.env.KLP_API_URL ?? `http://127.0.0.1:${port}`,
    KLP_SIM_TOKEN: process.env.KLP_SIM_TOKEN ?? tokens?.byRole.agent,
    KLP_OPERATOR_TOKEN: process.env.KLP_OPERATOR_TOKEN ?? tokens?.byRole.operator,
  };

  console.log('▶ Dashboard');
  // Half a second with Vite: always build, so the api serves what the checkout holds.
  execFileSync('npm', ['run', '-s', 'dashboard:build'], { cwd: root, stdio: 'ignore' });
  console.log('  built apps/dashboard/dist');

  console.log('▶ Apps');
  const apps: AppProcess[] = APPS.filter(appExists).map((app, index) => startApp(app, env, index));
  cleanups.push({ what: 'apps', run: () => stopAll(apps) });
  for (const app of apps) {
    app.child.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`✘ ${app.name} exited (${signal ?? `code ${code}`}); stopping everything`);
      void shutdown(1);
    });
  }
  await waitForHttp(`http://127.0.0.1:${port}/health/live`, 60_000);

  console.log('\nklp-fleet is running');
  console.log(`  dashboard  http://127.0.0.1:${port}/`);
  console.log(`  api        http://127.0.0.1:${port}/v1   GraphQL http://127.0.0.1:${port}/graphql`);
  console.log(`  health     http://127.0.0.1:${port}/health/ready`);
  console.log(`  apps       ${apps.map((app) => app.name).join(', ')}`);
  if (tokens) {
    console.log('  tokens (fresh for this run; set KLP_TOKENS to choose your own):');
    for (const [role, secret] of Object.entries(tokens.byRole))
      console.log(`    ${role.padEnd(9)} ${secret}`);
  }
  console.log('Press Ctrl-C to stop.');
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\n▶ stopping');
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup.run();
      console.log(`  stopped ${cleanup.what}`);
    } catch (error) {
      console.error(`  could not stop ${cleanup.what}: ${(error as Error).message}`);
    }
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch((error: unknown) => {
  console.error(`✘ ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1);
});
