export {
  rebuildReadModel,
  RebuildError,
  type RebuildOptions,
  type RebuildResult,
} from './rebuild.js';
export { prepareStores, type PrepareOptions } from './prepare-stores.js';
