export * from './common.js';
export * from './envelope.js';
export * from './registry.js';
export * from './session-issued-v1.js';
export * from './session-revoked-v1.js';
export * from './session-events.js';
export { exportJsonSchemas } from './json-schema.js';
export * from './decode-records.js';
