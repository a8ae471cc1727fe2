export {
  rebuildReadModel,
  RebuildError,
  type RebuildOptions,
  type RebuildResult,
} from './rebuild.js';
export { prepareStores, prepareStoresFromConfig, type PrepareOptions } from './prepare-stores.js';
