export { DEFAULT_READ_SCHEMA, assertIdentifier, ensureDatabase, isPostgresReachable } from './database';
export { createDataSource, migrate, revertAll, type StoreOptions } from './data-source';
