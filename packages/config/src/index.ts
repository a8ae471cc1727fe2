export { ConfigError, parseConfig } from './parse-config.js';
export { DEFAULT_TOPIC, databaseEnv, kafkaEnv, topicDurabilityOf } from './shared-env.js';
export { authApiEnvSchema, loadAuthApiConfig, type AuthApiEnv } from './auth-api-config.js';
export { projectorEnvSchema, loadProjectorConfig, type ProjectorEnv } from './projector-config.js';
export { type KafkaSecurity } from './kafka-security.js';
export {
  exampleResourceEnvSchema,
  loadExampleResourceConfig,
  type ExampleResourceEnv,
} from './example-resource-config.js';
