import { z } from 'zod';
import { kafkaVariables, loadConfig, logVariables } from '@klp/config';

export const deciderConfigSchema = z.object({
  ...kafkaVariables,
  ...logVariables,
  /** A host's state is snapshotted to klp.snapshots after this many of its events. */
  KLP_SNAPSHOT_EVERY: z.coerce.number().int().min(1).max(100_000).default(100),
  /** Upper bound of commands decided in one Kafka transaction. */
  KLP_DECIDER_MAX_BATCH: z.coerce.number().int().min(1).max(50_000).default(2000),
});
export type DeciderConfig = z.infer<typeof deciderConfigSchema>;

export function loadDeciderConfig(env: Record<string, string | undefined>): DeciderConfig {
  return loadConfig('decider', deciderConfigSchema, env);
}
