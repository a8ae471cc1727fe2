export { buildExampleApp, type ExampleAppOptions } from './example-app.js';
