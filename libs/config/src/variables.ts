import { z } from 'zod';
import { parseTokens } from './tokens';

/**
 * The variables shared by several apps, each with its default. `.env.example` documents the same
 * list; `docker-compose.yml` and `tools/start` pass them through under the same names.
 */
export const DEFAULTS = {
  PORT: 3000,
  KAFKA_PORT: 19092,
  KLP_PARTITIONS: 12,
  KLP_SIM_HOSTS: 200,
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/klp',
  KAFKA_BROKERS: '127.0.0.1:19092',
} as const;

const brokerList = z
  .string()
  .transform((value) => value.split(',').map((broker) => broker.trim()))
  .pipe(
    z
      .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker must be host:port'))
      .min(1, 'at least one broker'),
  );

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
  .refine((value) => URL.canParse(value), 'must be a valid URL');

export const kafkaVariables = {
  KAFKA_BROKERS: brokerList.default([DEFAULTS.KAFKA_BROKERS]),
  KLP_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(DEFAULTS.KLP_PARTITIONS),
  KLP_CLIENT_ID: z.string().min(1).default('klp-fleet'),
  /** Prefix of every topic and consumer group name, so that stacks can share a broker. */
  KLP_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{0,100}$/, 'letters, digits, . _ - only')
    .default(''),
};

export const databaseVariables = {
  DATABASE_URL: postgresUrl.default(DEFAULTS.DATABASE_URL),
};

export const httpVariables = {
  PORT: z.coerce.number().int().min(0).max(65535).default(DEFAULTS.PORT),
  HOST: z.string().min(1).default('127.0.0.1'),
  KLP_TOKENS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      try {
        return parseTokens(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
};

export const logVariables = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};
