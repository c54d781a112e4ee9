// Composition root of the decider: config, logger, the Kafka shell, and signals.
import { ConfigError } from '@klp/config';
import { loadDeciderConfig, type DeciderConfig } from './config';
import { Decider } from './decider';
import { createLogger } from './log';

const STOP_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  let config: DeciderConfig;
  try {
    config = loadDeciderConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.LOG_LEVEL, 'decider');
  const decider = new Decider({
    config,
    log,
    onFatal: (error) => {
      log.error('the consumer gave up; exiting so that a supervisor restarts the decider', { error });
      process.exit(1);
    },
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log.warn('second signal: exiting without waiting', { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('stopping', { signal });
    // A batch in flight finishes its transaction (or aborts it); no new batch starts.
    setTimeout(() => {
      log.error('stop timed out; exiting', { timeoutMs: STOP_TIMEOUT_MS });
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    decider.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error('stop failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await decider.start();
  log.info('decider started', {
    group: decider.groupId,
    topics: decider.topics,
    partitions: config.KLP_PARTITIONS,
    snapshotEvery: config.KLP_SNAPSHOT_EVERY,
    maxReplay: config.KLP_SNAPSHOT_MAX_REPLAY,
    maxBatch: config.KLP_DECIDER_MAX_BATCH,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `decider failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
