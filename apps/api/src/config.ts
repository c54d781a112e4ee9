import { z } from 'zod';
import { databaseVariables, httpVariables, kafkaVariables, loadConfig, logVariables } from '@klp/config';

export const apiConfigSchema = z.object({
  ...httpVariables,
  ...kafkaVariables,
  ...databaseVariables,
  ...logVariables,
  KLP_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('klp'),
  /** Requests a second each token may make on average (bursts of twice that); past it, 429. */
  KLP_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(500),
  /** Where the built dashboard lives; served at `/` when present. */
  KLP_DASHBOARD_DIR: z.string().optional(),
});
export type ApiConfig = z.infer<typeof apiConfigSchema>;

export const API_CONFIG = Symbol('API_CONFIG');

export function loadApiConfig(env: Record<string, string | undefined>): ApiConfig {
  return loadConfig('api', apiConfigSchema, env);
}
