/**
 * `npm run projections:rebuild [-- --keep-old]`: replays klp.events and klp.audit from offset 0 into
 * a fresh schema while `KLP_DB_SCHEMA` keeps serving, catches up, and swaps it in with the live
 * projector fenced (ADR 0005). Progress on stderr; exit 0 once swapped, 1 with nothing changed.
 * Reads the projector's variables (DATABASE_URL, KAFKA_BROKERS, KLP_TOPIC_PREFIX, KLP_DB_SCHEMA,
 * KLP_PROJECTOR_MAX_BATCH, KLP_PROJECTOR_CONCURRENCY, KLP_PROJECTOR_WRITER, …).
 */
import { loadConfig } from '@klp/config';
import { createKafka } from '@klp/kafka';
// migrations/ is no Nx project (tools/db/migrate.ts imports it the same way): the rebuild lays the
// schema exactly as `npm run db:migrate` does.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { migrations } from '../../../../migrations';
import { projectorConfigSchema } from '../config';
import { createLogger } from '../log';
import { projectorTopics } from '../topics';
import { rebuildProjections } from './rebuild';

const USAGE = `usage: npm run projections:rebuild [-- --keep-old]
  --keep-old  keep the swapped-out schema as <schema>_old_<stamp> instead of dropping it`;

async function main(args: readonly string[]): Promise<number> {
  const unknown = args.filter((arg) => arg !== '--keep-old');
  if (unknown.length > 0) {
    process.stderr.write(`${unknown.includes('--help') ? '' : `unknown argument ${unknown[0]}\n`}${USAGE}\n`);
    return unknown.includes('--help') ? 0 : 2;
  }
  const config = loadConfig('projections:rebuild', projectorConfigSchema, process.env);
  const log = createLogger('projections-rebuild', config.LOG_LEVEL);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KLP_CLIENT_ID}-rebuild` });
  const aborter = new AbortController();
  process.once('SIGINT', () => aborter.abort());
  process.once('SIGTERM', () => aborter.abort());
  const tty = process.stderr.isTTY;
  const report = await rebuildProjections({
    url: config.DATABASE_URL,
    kafka,
    topics: projectorTopics(config.KLP_TOPIC_PREFIX),
    groupPrefix: `${config.KLP_TOPIC_PREFIX}klp-projections-rebuild`,
    schema: config.KLP_DB_SCHEMA,
    migrations,
    keepOld: args.includes('--keep-old'),
    maxBatch: config.KLP_PROJECTOR_MAX_BATCH,
    concurrency: config.KLP_PROJECTOR_CONCURRENCY,
    synchronousCommit: config.KLP_PROJECTOR_SYNCHRONOUS_COMMIT,
    cacheHosts: config.KLP_PROJECTOR_CACHE_HOSTS,
    writer: config.KLP_PROJECTOR_WRITER,
    replayThreads: { brokers: config.KAFKA_BROKERS, logLevel: config.LOG_LEVEL },
    log,
    // On a terminal one line rewritten in place; in a log, a line every few seconds.
    progress: (line) => process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`),
    progressIntervalMs: tty ? 500 : 5000,
    signal: aborter.signal,
  });
  const seconds = report.ms / 1000;
  const replayed = report.replayed.events + report.replayed.audit;
  process.stderr.write(
    `${tty ? '\n' : ''}rebuilt ${report.schema} (as ${report.rebuiltAs}) in ${seconds.toFixed(1)} s: ` +
      `${report.replayed.events} klp.events and ${report.replayed.audit} klp.audit offsets ` +
      `(${Math.round(replayed / seconds)} offsets/s) in ${report.rounds} round(s); projector fenced ` +
      `${report.fencedMs} ms (${report.fencedOffsets} offsets replayed meanwhile); ` +
      `${report.keptOld ? `old schema kept as ${report.keptOld}` : 'old schema dropped'}` +
      `${report.deadLetters ? `; ${report.deadLetters} record(s) skipped as dead letters` : ''}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`\nprojections:rebuild: ${error.message}\n`);
    process.exit(1);
  },
);
