/**
 * The projector: klp.events and klp.audit into the Postgres read model, one transaction per batch
 * with the offsets (ARCHITECTURE.md, "Read side"). It does not migrate (`npm start` and
 * `npm run db:migrate` do); it refuses to start on a schema that lacks a migration.
 */
import { createKafka } from '@klp/kafka';
import { copyWriter, createReadModelPool, hybridWriter, missingColumns, unnestWriter } from '@klp/store';
import { loadProjectorConfig } from './config';
import { createLogger } from './log';
import { Projector } from './projector';
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
  const pool = createReadModelPool({
    url: config.DATABASE_URL,
    schema,
    // Two consumers (events, audit), each with `concurrency` batches in flight, and a spare.
    max: 2 * config.KLP_PROJECTOR_CONCURRENCY + 2,
    synchronousCommit: config.KLP_PROJECTOR_SYNCHRONOUS_COMMIT,
  });
  pool.on('error', (error) => log('error', `idle Postgres connection failed: ${error.message}`));

  const missing = await missingColumns(pool, schema).catch((error: Error) => {
    throw new Error(`cannot reach Postgres at ${withoutPassword(config.DATABASE_URL)}: ${error.message}`);
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

  // One consumer per topic (ADR 0009): an outcome waiting for `wait=true` is in klp.events, and
  // must not queue behind a fetch round of klp.audit, which carries 7-8 records per event.
  const projectorOf = (kind: 'events' | 'audit', groupSuffix: string) =>
    new Projector({
      kafka,
      pool,
      topics,
      kinds: [kind],
      groupId: config.KLP_TOPIC_PREFIX + config.KLP_PROJECTOR_GROUP + groupSuffix,
      maxBatch: config.KLP_PROJECTOR_MAX_BATCH,
      cacheHosts: config.KLP_PROJECTOR_CACHE_HOSTS,
      sessionTimeoutMs: config.KLP_PROJECTOR_SESSION_TIMEOUT_MS,
      writer: { hybrid: hybridWriter, copy: copyWriter, unnest: () => unnestWriter }[
        config.KLP_PROJECTOR_WRITER
      ](),
      concurrency: config.KLP_PROJECTOR_CONCURRENCY,
      log,
      onFatal: (error) => {
        log('fatal', `the Kafka consumer of ${kind} stopped for good: ${error.message}`);
        process.exit(1);
      },
    });
  const auditGroupSuffix = '-audit';
  const projectors = [projectorOf('events', ''), projectorOf('audit', auditGroupSuffix)];
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `${signal}: finishing the batch in hand, then stopping`);
    Promise.all(projectors.map((projector) => projector.stop()))
      .then(() => pool.end())
      .then(() => process.exit(0))
      .catch((error: Error) => {
        log('fatal', `stopping failed: ${error.message}`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  await Promise.all(projectors.map((projector) => projector.start()));
  log('info', 'projecting', {
    topics,
    groups: [config.KLP_PROJECTOR_GROUP, config.KLP_PROJECTOR_GROUP + auditGroupSuffix],
    schema,
  });
}

main().catch((error: Error) => {
  process.stderr.write(`projector: ${error.message}\n`);
  process.exit(1);
});
