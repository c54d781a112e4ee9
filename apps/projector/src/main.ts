/**
 * The projector: klp.events and klp.audit into the Postgres read model, one transaction per batch
 * with the offsets (ARCHITECTURE.md, "Read side"). It does not migrate (`npm start` and
 * `npm run db:migrate` do); it refuses to start on a schema that lacks a migration.
 */
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { createKafka } from '@klp/kafka';
import { createReadModelPool, missingColumns } from '@klp/store';
import { untilReachable } from './boot-wait';
import { loadProjectorConfig } from './config';
import type { ConsumerThreadData } from './consumer-thread';
import { createLogger, type Logger } from './log';
import { superviseThreads } from './thread-supervisor';
import { startTypeScriptWorker } from './typescript-worker';
import { projectorTopics, provisionProjectorTopics } from './topics';

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function main(): Promise<void> {
  const config = loadProjectorConfig(process.env);
  const log = createLogger('projector', config.LOG_LEVEL);
  const schema = config.KLP_DB_SCHEMA;
  // Only for the boot check: each consumer thread has a pool of its own.
  const pool = createReadModelPool({ url: config.DATABASE_URL, schema, max: 1 });

  const where = withoutPassword(config.DATABASE_URL);
  const missing = await untilReachable(() => missingColumns(pool, schema), {
    waitMs: config.KLP_PROJECTOR_BOOT_WAIT_MS,
    onRetry: (error, delayMs) =>
      log('warn', `Postgres at ${where} is not reachable (${error.message}); trying again in ${delayMs} ms`),
  }).catch((error: Error) => {
    throw new Error(`cannot reach Postgres at ${where}: ${error.message}`);
  });
  if (missing.length > 0) {
    await pool.end();
    throw new Error(
      `the read model in schema "${schema}" of ${withoutPassword(config.DATABASE_URL)} is not migrated ` +
        `(missing ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}): ` +
        'run `npm run db:migrate` (`npm start` migrates before it starts the apps)',
    );
  }

  const topics = projectorTopics(config.KLP_TOPIC_PREFIX);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KLP_CLIENT_ID}-projector` });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await provisionProjectorTopics(admin, config.KLP_TOPIC_PREFIX, config.KLP_PARTITIONS);
  } finally {
    await admin.disconnect();
  }

  await pool.end();

  // One consumer per topic (ADR 0009), each in a thread of its own (ADR 0011): an outcome waiting
  // for `wait=true` is in klp.events and must not queue behind klp.audit, which carries 7-8 records
  // per event; and one thread's CPU was the projector's ceiling.
  const auditGroupSuffix = '-audit';
  const threads = [
    startConsumerThread({ config, kind: 'events', groupSuffix: '' }, log),
    startConsumerThread({ config, kind: 'audit', groupSuffix: auditGroupSuffix }, log),
  ];
  const stop = superviseThreads(threads, log, (code) => process.exit(code));
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  log('info', 'projecting', {
    topics,
    groups: [config.KLP_PROJECTOR_GROUP, config.KLP_PROJECTOR_GROUP + auditGroupSuffix],
    schema,
  });
}

/** A consumer in a worker thread of its own (ADR 0011). */
function startConsumerThread(data: ConsumerThreadData, log: Logger): Worker {
  const thread = startTypeScriptWorker(path.join(__dirname, 'consumer-thread.ts'), data);
  thread.on('error', (error) => log('fatal', `the ${data.kind} consumer thread failed: ${error.message}`));
  return thread;
}

main().catch((error: Error) => {
  process.stderr.write(`projector: ${error.message}\n`);
  process.exit(1);
});
