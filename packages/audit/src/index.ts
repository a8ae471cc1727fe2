export * from './record-digest.js';
export * from './chain-verification.js';
export * from './session-verification.js';
export * from './valid-at.js';
export * from './checkpoint.js';
