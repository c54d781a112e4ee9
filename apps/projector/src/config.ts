import { z } from 'zod';
import { databaseVariables, kafkaVariables, loadConfig, logVariables } from '@klp/config';

export const projectorConfigSchema = z.object({
  ...kafkaVariables,
  ...databaseVariables,
  ...logVariables,
  KLP_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('klp'),
  /** Upper bound of Kafka records applied in one Postgres transaction. */
  KLP_PROJECTOR_MAX_BATCH: z.coerce.number().int().min(1).max(100_000).default(5000),
  /** The projector's Kafka consumer group, after KLP_TOPIC_PREFIX. */
  KLP_PROJECTOR_GROUP: z.string().min(1).default('klp-projector'),
  /** Most hosts kept folded in memory; the rest are refolded from event_log when they come back. */
  KLP_PROJECTOR_CACHE_HOSTS: z.coerce.number().int().min(1).max(10_000_000).default(50_000),
  /**
   * How long the group waits for a silent member before it hands its partitions to the others: the
   * pause a crashed (SIGKILLed) projector costs its partitions.
   */
  KLP_PROJECTOR_SESSION_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
  /**
   * How batches reach Postgres (ADR 0004): `hybrid` COPYs the logs and upserts the view over unnest
   * arrays; `unnest` and `copy` use one way for everything (kept to measure against).
   */
  KLP_PROJECTOR_WRITER: z.enum(['hybrid', 'unnest', 'copy']).default('hybrid'),
  /**
   * How long an unreachable Postgres is waited for at boot (a restart, a failover) before the
   * projector gives up; a refusal (bad credentials, no such database) fails at once.
   */
  KLP_PROJECTOR_BOOT_WAIT_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /** Partitions applied at once per topic, each in its own transaction (a partition's batches stay in order). */
  KLP_PROJECTOR_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /**
   * `synchronous_commit` of the projector's transactions (ADR 0008). `off` is safe here: a batch's
   * rows and its offsets commit atomically, so a Postgres crash can only lose the newest batches
   * whole, and the projector then replays them from Kafka; the read model never goes wrong, only
   * briefly behind. `on` waits for the WAL flush on every batch.
   */
  KLP_PROJECTOR_SYNCHRONOUS_COMMIT: z.enum(['on', 'off']).default('off'),
});
export type ProjectorConfig = z.infer<typeof projectorConfigSchema>;

export function loadProjectorConfig(env: Record<string, string | undefined>): ProjectorConfig {
  return loadConfig('projector', projectorConfigSchema, env);
}
