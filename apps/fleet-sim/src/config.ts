import { z } from 'zod';
import { DEFAULTS, loadConfig, logVariables } from '@klp/config';

const share = z.coerce.number().min(0).max(1);
const seconds = z.coerce.number().positive().max(86_400);

export const fleetSimConfigSchema = z
  .object({
    ...logVariables,
    KLP_API_URL: z.url().default(`http://127.0.0.1:${DEFAULTS.PORT}`),
    KLP_SIM_HOSTS: z.coerce.number().int().min(0).max(100_000).default(DEFAULTS.KLP_SIM_HOSTS),
    KLP_SIM_SEED: z.coerce.number().int().default(1),
    /** The agent token the simulated hosts report with (an `agent:` entry of KLP_TOKENS). */
    KLP_SIM_TOKEN: z.string().min(8).optional(),
    /** An operator token; with it (and KLP_SIM_OPERATOR not 0) the operator script runs. */
    KLP_OPERATOR_TOKEN: z.string().min(8).optional(),
    KLP_SIM_OPERATOR: z.enum(['0', '1']).optional(),
    KLP_SIM_STALL_SHARE: share.default(0.05),
    KLP_SIM_FAIL_SHARE: share.default(0.02),
    KLP_SIM_WAVE_SECONDS: seconds.default(20),
    KLP_SIM_STALL_LIMIT_SECONDS: seconds.default(60),
    KLP_SIM_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
    KLP_SIM_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    KLP_SIM_SUMMARY_SECONDS: seconds.default(10),
  })
  .transform((config) => ({
    ...config,
    /** The operator script runs when an operator token is given, unless KLP_SIM_OPERATOR=0. */
    operatorEnabled: config.KLP_OPERATOR_TOKEN !== undefined && config.KLP_SIM_OPERATOR !== '0',
  }));
export type FleetSimConfig = z.infer<typeof fleetSimConfigSchema>;

export function loadFleetSimConfig(env: Record<string, string | undefined>): FleetSimConfig {
  return loadConfig('fleet-sim', fleetSimConfigSchema, env);
}
