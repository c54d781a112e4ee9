import { type z } from 'zod';

/** Thrown at boot when the environment does not fit an app's schema; the message lists every problem. */
export class ConfigError extends Error {
  constructor(
    readonly app: string,
    readonly problems: string[],
  ) {
    super(`${app}: invalid configuration\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment against one app's schema. Libs never read `process.env`; each app calls
 * this once at boot with its own schema, so a bad variable stops that app with a clear message.
 */
export function loadConfig<Schema extends z.ZodType>(
  app: string,
  schema: Schema,
  env: Record<string, string | undefined>,
): z.infer<Schema> {
  // Empty strings mean "unset" in .env files and shells alike; let the schema's defaults apply.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    app,
    result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
  );
}
