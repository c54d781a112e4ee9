/**
 * One projector consumer (klp.events or klp.audit) in a worker thread of the projector process,
 * with its own Kafka client and Postgres pool (ADR 0011). main.ts starts one per topic and stops
 * them with a 'stop' message; an exit code other than 0 stops the process.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createKafka } from '@klp/kafka';
import { bulkWriterNamed, createReadModelPool, type ProjectionKind } from '@klp/store';
import type { ProjectorConfig } from './config';
import { createLogger } from './log';
import { STOP_MESSAGE } from './thread-supervisor';
import { Projector } from './projector';
import { projectorTopics } from './topics';

export interface ConsumerThreadData {
  readonly config: ProjectorConfig;
  readonly kind: ProjectionKind;
  /** Appended to KLP_PROJECTOR_GROUP: each topic has a group of its own (ADR 0009). */
  readonly groupSuffix: string;
}

async function runConsumer({ config, kind, groupSuffix }: ConsumerThreadData): Promise<void> {
  const log = createLogger('projector', config.LOG_LEVEL);
  const pool = createReadModelPool({
    url: config.DATABASE_URL,
    schema: config.KLP_DB_SCHEMA,
    // `concurrency` batches in flight, and a spare for the offset lookups on assignment.
    max: config.KLP_PROJECTOR_CONCURRENCY + 1,
    synchronousCommit: config.KLP_PROJECTOR_SYNCHRONOUS_COMMIT,
  });
  pool.on('error', (error) => log('error', `idle Postgres connection failed: ${error.message}`));
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KLP_CLIENT_ID}-projector-${kind}`,
  });
  const projector = new Projector({
    kafka,
    pool,
    topics: projectorTopics(config.KLP_TOPIC_PREFIX),
    kinds: [kind],
    groupId: config.KLP_TOPIC_PREFIX + config.KLP_PROJECTOR_GROUP + groupSuffix,
    maxBatch: config.KLP_PROJECTOR_MAX_BATCH,
    cacheHosts: config.KLP_PROJECTOR_CACHE_HOSTS,
    sessionTimeoutMs: config.KLP_PROJECTOR_SESSION_TIMEOUT_MS,
    writer: bulkWriterNamed(config.KLP_PROJECTOR_WRITER),
    concurrency: config.KLP_PROJECTOR_CONCURRENCY,
    log,
    onFatal: (error) => {
      log('fatal', `the Kafka consumer of ${kind} stopped for good: ${error.message}`);
      process.exit(1);
    },
  });
  parentPort?.once('message', (message: unknown) => {
    if (message !== STOP_MESSAGE) return;
    projector
      .stop()
      .then(() => pool.end())
      .then(() => process.exit(0))
      .catch((error: Error) => {
        log('fatal', `stopping the ${kind} consumer failed: ${error.message}`);
        process.exit(1);
      });
  });
  await projector.start();
}

if (!isMainThread) {
  runConsumer(workerData as ConsumerThreadData).catch((error: Error) => {
    process.stderr.write(`projector (${(workerData as ConsumerThreadData).kind}): ${error.message}\n`);
    process.exit(1);
  });
}
