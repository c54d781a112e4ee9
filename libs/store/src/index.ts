export {
  DEFAULT_READ_SCHEMA,
  assertIdentifier,
  dropDatabase,
  ensureDatabase,
  isPostgresReachable,
} from './database';
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
export { Projection } from './projection/projection';
export type {
  BatchResult,
  PartitionBatch,
  ProjectionKind,
  ProjectionLog,
  ProjectionOptions,
} from './projection/projection';
export { type BulkWriter, unnestWriter } from './projection/bulk-writer';
export { bulkWriterNamed, copyWriter, hybridWriter, type BulkWriterName } from './projection/copy-writer';
export {
  createReadModelPool,
  guardCheckedOutClients,
  missingColumns,
  type ReadModelPoolOptions,
} from './projection/read-model-pool';
export { FENCE_CLASS, FENCED_BEGIN, fenceKeysCollide, fenceProjection } from './projection/fence';
export { SETTLED_CHANNEL, settledPayloads } from './projection/settled-notify';
export { deadLetter, parseAudit, parseEvent, type SourceRecord } from './projection/record-parsing';
export { hostRows, type HostRows } from './projection/host-rows';
export { projectEvent, unknownHost, type ProjectedHost } from './projection/projected-host';
export { commandTypeOf } from './projection/log-rows';
export {
  AUDIT_COLUMNS,
  auditSelect,
  auditRecordFromRow,
  chainVerdict,
  listAudit,
  verifyHostChain,
  type AuditFilter,
  type AuditKey,
  type AuditRow,
  type ChainVerdict,
} from './read/audit.reader';
export { hostViewAt, patchEverSeen, patchHostsAt, type PatchStateAt } from './read/time-travel.reader';
