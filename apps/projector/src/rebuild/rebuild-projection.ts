import { Projection, createReadModelPool, type BulkWriter } from '@klp/store';
import type { Pool } from 'pg';
import type { Logger } from '../log';

export interface RebuildPoolOptions {
  readonly url: string;
  readonly schema: string;
  /** Batches applied at once: one connection each. */
  readonly concurrency: number;
  readonly synchronousCommit?: 'on' | 'off';
}

export function createRebuildPool(options: RebuildPoolOptions, log: Logger): Pool {
  const pool = createReadModelPool({
    url: options.url,
    schema: options.schema,
    max: options.concurrency,
    applicationName: 'klp-rebuild',
    synchronousCommit: options.synchronousCommit,
  });
  pool.on('error', (error) => log('warn', `idle rebuild connection failed: ${error.message}`));
  return pool;
}

/**
 * The projector's `Projection` as a rebuild runs it: no NOTIFY (it replays old commands), and the
 * records the live projector dead-lettered when it first met them are reported, not sent again.
 */
export function rebuildProjection(
  pool: Pool,
  options: { readonly writer: BulkWriter; readonly cacheHosts?: number },
  log: Logger,
  onSkipped: (count: number) => void,
): Projection {
  return new Projection(pool, {
    app: 'projections-rebuild',
    notifyChannel: null,
    writer: options.writer,
    cacheHosts: options.cacheHosts,
    publishDeadLetters: (letters) => {
      onSkipped(letters.length);
      for (const letter of letters)
        log('warn', `skipped ${letter.sourceTopic}[${letter.sourcePartition}]@${letter.sourceOffset}`, {
          error: letter.error,
        });
      return Promise.resolve();
    },
    log: (level, message) => log(level, message),
  });
}
