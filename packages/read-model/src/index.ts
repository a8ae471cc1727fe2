export { SessionEntity, ProjectionOffsetEntity, readModelEntities } from './entities.js';
export {
  openReadModel,
  migrateReadModel,
  pendingMigrations,
  pingReadModel,
  type ReadModelOptions,
  type ReadModelOrm,
} from './orm.js';
export {
  createSessionReader,
  pageStatement,
  type SessionPageQuery,
  type SessionReader,
} from './session-queries.js';
export {
  decodeAuditPageToken,
  decodePageToken,
  encodeAuditPageToken,
  encodePageToken,
} from './page-token.js';
export type {
  FreshEvents,
  PreCommitBatch,
  PreCommitStep,
  Projection,
  SqlContext,
} from './projection.js';
export { quarantineProjection, QUARANTINE_PROJECTION } from './quarantine-projection.js';
export { sessionsProjection, SESSIONS_PROJECTION } from './sessions-projection.js';
export {
  auditColumnsOf,
  auditProjection,
  auditRowOf,
  AUDIT_PROJECTION,
} from './audit-projection.js';
export { auditCopyLine, openAuditCopy, type AuditCopy } from './audit-copy.js';
export {
  auditHeads,
  createAuditReader,
  queryAuditEvents,
  type AuditReader,
  type AuditCursor,
  type AuditEvent,
  type AuditQuery,
  type ChainHead,
} from './audit-queries.js';
export {
  createProjectionStore,
  readProjectionOffsets,
  type BatchOutcome,
  type ProjectionBatch,
  type ProjectionStore,
  type ProjectionStoreOptions,
} from './projection-store.js';
export {
  PostgresProjectionWatermark,
  WATERMARK_APPLICATION_NAME,
  type ProjectionWatermarkOptions,
} from './projection-watermark.js';
export { lastPositions, PositionWaiters, type ProjectionWatermark } from './position-waiters.js';
export { InMemoryReadModel } from './in-memory-read-model.js';
export { listQuarantined, skipHaltingRecord, type QuarantinedRow } from './quarantine-queries.js';
export {
  isPinned,
  unpinTopic,
  LogReplacedError,
  PartitionCountChangedError,
  pinTopic,
  UnmarkedTopicError,
  type ObservedTopic,
} from './log-identity.js';
export {
  openVerificationSnapshot,
  type SnapshotAuditRow,
  type VerificationSnapshot,
} from './verification-snapshot.js';
export { arrayRowStream, type AuditRowStream } from './audit-row-stream.js';
export {
  openSinceCheckpoint,
  type AuditHistoryRow,
  type RowsFromCheckpoint,
  type SinceCheckpointSnapshot,
  type WholeTableScans,
} from './checkpoint-snapshot.js';
export type { CheckpointedTable, RowsBelow, RowsBelowCheckpoint } from './checkpoint-scans.js';
export { latestCheckpoint, saveCheckpoint } from './audit-checkpoints.js';
export type { ProjectionEnds } from './snapshot-reads.js';
export {
  AUDIT_COLUMNS,
  AUDIT_COLUMNS_DIGEST_SQL,
  canonicalColumns,
  columnDifferences,
  columnsDigest,
  QUARANTINE_COLUMNS,
  readAuditColumns,
  type ColumnDifference,
} from './audited-columns.js';
export { InMemoryAuditTrail } from './in-memory-audit-trail.js';
export { expiredRevocations, markSwept, type ExpiredRevocation } from './feed-sweep-queries.js';
export {
  QUARANTINED_KEY_PREFIX,
  STATE_CHECKPOINT_KEY,
  stateEntriesOf,
  stateReadBack,
  rowsByPartition,
  type StateCheckpoint,
  type StateRow,
} from './session-state.js';
export { readStateSnapshot } from './session-state-snapshot.js';
export { loadStateRows } from './session-state-load.js';
export { storeProjectionOffsets } from './projection-offsets.js';
