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
});
export type ProjectorConfig = z.infer<typeof projectorConfigSchema>;

export function loadProjectorConfig(env: Record<string, string | undefined>): ProjectorConfig {
  return loadConfig('projector', projectorConfigSchema, env);
}
