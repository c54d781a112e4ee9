import { z } from 'zod';
import { DEFAULTS, loadConfig, logVariables } from '@klp/config';

export const fleetSimConfigSchema = z.object({
  ...logVariables,
  KLP_API_URL: z.url().default(`http://127.0.0.1:${DEFAULTS.PORT}`),
  KLP_SIM_HOSTS: z.coerce.number().int().min(0).max(100_000).default(DEFAULTS.KLP_SIM_HOSTS),
  KLP_SIM_SEED: z.coerce.number().int().default(1),
  /** The agent token the simulated hosts report with (an `agent:` entry of KLP_TOKENS). */
  KLP_SIM_TOKEN: z.string().min(8).optional(),
});
export type FleetSimConfig = z.infer<typeof fleetSimConfigSchema>;

export function loadFleetSimConfig(env: Record<string, string | undefined>): FleetSimConfig {
  return loadConfig('fleet-sim', fleetSimConfigSchema, env);
}
