import closeWithGrace from 'close-with-grace';
import { loadAuthApiConfig } from '@session-authority/config';
import { buildApp } from './build-app.js';
import { createLogger } from './logger.js';
import { openResources } from './resources.js';

const config = loadAuthApiConfig();
const logger = createLogger(config.LOG_LEVEL, config.INSTANCE_ID);
/** One clear line, not a retry loop: another log, credentials, a certificate. */
function cannotStart(error: unknown): never {
  logger.fatal(`auth-api cannot start: ${(error as Error).message}`);
  process.exit(1);
}
const resources = await openResources(config, logger, cannotStart).catch(cannotStart);
const apps = await buildApp(resources.deps);

await apps.publicApp.listen({ host: config.HOST, port: config.PUBLIC_PORT });
await apps.adminApp.listen({ host: config.HOST, port: config.ADMIN_PORT });
logger.info(
  { public: config.PUBLIC_PORT, admin: config.ADMIN_PORT, basePath: config.PUBLIC_BASE_PATH },
  'auth-api listening',
);

closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
  if (err !== undefined) logger.error({ err }, 'stopping after an error');
  else logger.info({ signal }, 'draining and stopping');
  await apps.close();
  await resources.close();
});
