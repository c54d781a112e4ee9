export { DEFAULT_READ_SCHEMA, assertIdentifier, ensureDatabase, isPostgresReachable } from './database';
export { createDataSource, migrate, revertAll, type StoreOptions } from './data-source';
export type { Queryable } from './read/queryable';
export { readHostView } from './read/host-view.reader';
export {
  functionStacks,
  hostEvents,
  listHosts,
  longTransitions,
  patchExists,
  patchRollup,
  type FunctionStackEntry,
  type HostFilter,
  type HostSummary,
  type Page,
  type StoredEvent,
  type TransitionSummary,
} from './read/fleet.reader';
