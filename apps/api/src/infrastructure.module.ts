import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { createKafka } from '@klp/kafka';
import { guardCheckedOutClients } from '@klp/store';
import { API_CONFIG, type ApiConfig } from './config';
import { kafkaCheck, postgresCheck } from './health/dependency-probe';
import { READINESS_CHECKS, type ReadinessCheck } from './health/readiness';

export const PG_POOL = Symbol('PG_POOL');
const logger = new Logger('Postgres');
export const KAFKA = Symbol('KAFKA');
export const KAFKA_ADMIN = Symbol('KAFKA_ADMIN');

/** The api's connections, opened once and closed on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: PG_POOL,
      inject: [API_CONFIG],
      useFactory: (config: ApiConfig) => {
        const pool = new Pool({
          connectionString: config.DATABASE_URL,
          max: 20,
          connectionTimeoutMillis: 2000,
          application_name: 'klp-api',
          options: `-c search_path=${config.KLP_DB_SCHEMA},public`,
        });
        // An idle connection that Postgres closes (a restart) emits 'error' on the pool; unheard,
        // it would kill the api. The pool drops that connection and opens another when needed.
        pool.on('error', (error) => logger.warn(`idle Postgres connection lost: ${error.message}`));
        return guardCheckedOutClients(pool);
      },
    },
    {
      provide: KAFKA,
      inject: [API_CONFIG],
      useFactory: (config: ApiConfig) =>
        createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KLP_CLIENT_ID}-api` }),
    },
    {
      provide: KAFKA_ADMIN,
      inject: [KAFKA],
      // Connected lazily by kafkajs on first use, so the api boots while Kafka is still starting.
      useFactory: (kafka: Kafka) => kafka.admin(),
    },
    {
      provide: READINESS_CHECKS,
      inject: [PG_POOL, KAFKA_ADMIN],
      useFactory: (pool: Pool, admin: Admin): ReadinessCheck[] => [
        { name: 'postgres', run: postgresCheck(pool) },
        { name: 'kafka', run: async () => (await admin.connect(), kafkaCheck(admin)()) },
      ],
    },
  ],
  exports: [PG_POOL, KAFKA, KAFKA_ADMIN, READINESS_CHECKS],
})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.pool.end(), this.admin.disconnect()]);
  }
}
