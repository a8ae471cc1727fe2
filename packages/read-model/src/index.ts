export { SessionEntity, ProjectionOffsetEntity, readModelEntities } from './entities.js';
export {
  openReadModel,
  migrateReadModel,
  pendingMigrations,
  pingReadModel,
  type ReadModelOptions,
  type ReadModelOrm,
} from './orm.js';
export { createSessionReader, type SessionReader } from './session-queries.js';
export {
  applyProjectionBatch,
  applyProjectionBatches,
  readProjectionOffsets,
  OFFSETS_CHANNEL,
  type BatchOutcome,
  type OffsetNotice,
  type PositionedEvent,
  type ProjectionBatch,
} from './projection-store.js';
export { ProjectionWatermark, type WatermarkOptions } from './projection-watermark.js';
