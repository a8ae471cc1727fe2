export {
  projectToEnd,
  rebuildReadModel,
  RebuildError,
  type RebuildOptions,
  type RebuildResult,
} from './rebuild.js';
export { prepareStores, prepareStoresFromConfig, type PrepareOptions } from './prepare-stores.js';
export { verifyAgainstLog, type VerifyOptions, type VerifyReport } from './audit/verify-log.js';
export { verifySinceCheckpoint } from './audit/verify-since-checkpoint.js';
export {
  rebuildFromState,
  type FromStateOptions,
  type FromStateResult,
} from './rebuild-from-state.js';
export { openStateTopic } from './state-topic.js';
export { feedStep } from './feed-step.js';
export { stateStep } from './state-step.js';
export { projectionsOf } from './projections.js';
export { rebuildAuditProjection } from './audit-load/rebuild-audit.js';
export { readLog, type ReadLogOptions } from './read-log.js';
