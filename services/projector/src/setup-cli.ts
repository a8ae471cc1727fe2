import { loadProjectorConfig } from '@session-authority/config';
import { prepareStoresFromConfig } from './prepare-stores.js';

// The compose file's setup step: migrations and the topics, with the projector's settings.
const config = loadProjectorConfig();
try {
  const result = await prepareStoresFromConfig(config);
  console.log(`migrations applied; topic ${config.KAFKA_TOPIC} ${result.topic}`);
} catch (error) {
  // One line that says what to do (another log, a changed partition count), not a stack trace.
  console.error(`setup failed: ${(error as Error).message}`);
  process.exit(1);
}
