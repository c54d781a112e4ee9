import { DataSource, type MigrationInterface } from 'typeorm';
import { DEFAULT_READ_SCHEMA, assertIdentifier } from './database';

type MigrationClass = new () => MigrationInterface;

export interface StoreOptions {
  url: string;
  /** The Postgres schema holding the read model (a rebuild lays a fresh one and swaps it in). */
  schema?: string;
  migrations?: MigrationClass[];
  poolSize?: number;
  applicationName?: string;
}

/**
 * The one TypeORM data source of the read side. `synchronize` stays off: the schema changes only
 * through `migrations/`. Unqualified table names resolve through `search_path`.
 */
export function createDataSource(options: StoreOptions): DataSource {
  const schema = assertIdentifier(options.schema ?? DEFAULT_READ_SCHEMA, 'schema');
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'typeorm_migrations',
    migrations: options.migrations ?? [],
    entities: [],
    logging: ['error'],
    applicationName: options.applicationName ?? 'klp-fleet',
    extra: {
      max: options.poolSize ?? 10,
      options: `-c search_path=${schema},public`,
      connectionTimeoutMillis: 5000,
    },
  });
}

/** Creates the schema when missing and applies every pending migration; returns their names. */
export async function migrate(options: StoreOptions): Promise<string[]> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  try {
    await dataSource.query(
      `CREATE SCHEMA IF NOT EXISTS "${dataSource.driver.schema ?? DEFAULT_READ_SCHEMA}"`,
    );
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/** Reverts every applied migration, newest first; returns how many were reverted. */
export async function revertAll(options: StoreOptions): Promise<number> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  let reverted = 0;
  try {
    while (await hasAppliedMigrations(dataSource)) {
      await dataSource.undoLastMigration({ transaction: 'each' });
      reverted += 1;
    }
    return reverted;
  } finally {
    await dataSource.destroy();
  }
}

async function hasAppliedMigrations(dataSource: DataSource): Promise<boolean> {
  const rows: unknown[] = await dataSource.query(
    `SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'typeorm_migrations'`,
    [dataSource.driver.schema],
  );
  if (rows.length === 0) return false;
  const applied: unknown[] = await dataSource.query(`SELECT 1 FROM typeorm_migrations LIMIT 1`);
  return applied.length > 0;
}
