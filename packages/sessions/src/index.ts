export * from './token.js';
export * from './duration.js';
export * from './session.js';
export * from './decisions.js';
export * from './projection-rule.js';
export * from './fold.js';
