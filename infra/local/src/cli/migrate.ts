import { loadProjectorConfig } from '@session-authority/config';
import { prepareStoresFromConfig } from '@session-authority/projector';
import { ensureDatabase } from '../postgres.js';

// npm run migrate: the setup step, creating the database first when it is missing.
const config = loadProjectorConfig();
try {
  await ensureDatabase(config.DATABASE_URL);
  const result = await prepareStoresFromConfig(config);
  console.log(`migrations applied; topic ${config.KAFKA_TOPIC} ${result.topic}`);
} catch (error) {
  console.error(`setup failed: ${(error as Error).message}`);
  process.exit(1);
}
