export { benchResultSchema, type BenchResult } from './bench-result.js';
