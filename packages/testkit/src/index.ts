export * from './error-generic.js';
export * from './projection-cases.js';
export * from './projection-inputs.js';
