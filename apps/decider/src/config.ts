import { z } from 'zod';
import { kafkaVariables, loadConfig, logVariables } from '@klp/config';

export const deciderConfigSchema = z.object({
  ...kafkaVariables,
  ...logVariables,
  /** A host's state is snapshotted to klp.snapshots after this many of its events. */
  KLP_SNAPSHOT_EVERY: z.coerce.number().int().min(1).max(100_000).default(100),
  /**
   * A host is also snapshotted once its oldest unsnapshotted event is this many klp.events offsets
   * behind the end of its partition: recovery replays at most about this many events per partition.
   */
  KLP_SNAPSHOT_MAX_REPLAY: z.coerce.number().int().min(1).max(10_000_000).default(20_000),
  /** Upper bound of commands decided in one Kafka transaction. */
  KLP_DECIDER_MAX_BATCH: z.coerce.number().int().min(1).max(50_000).default(2000),
  /** Consumer group session timeout: how long a silent decider keeps its partitions. */
  KLP_DECIDER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
});
export type DeciderConfig = z.infer<typeof deciderConfigSchema>;

export function loadDeciderConfig(env: Record<string, string | undefined>): DeciderConfig {
  return loadConfig('decider', deciderConfigSchema, env);
}
