export { benchResultSchema, type BenchResult } from './bench-result.js';
export { BENCHMARKS_DOC, LATEST_FULL_RUN, renderRunSection, runSectionOf } from './docs-section.js';
