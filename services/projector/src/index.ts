export {
  rebuildReadModel,
  RebuildError,
  type RebuildOptions,
  type RebuildResult,
} from './rebuild.js';
