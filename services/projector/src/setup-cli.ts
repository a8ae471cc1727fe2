import { loadProjectorConfig } from '@session-authority/config';
import { prepareStoresFromConfig } from './prepare-stores.js';

// The compose file's setup step: migrations and the topic, with the projector's settings.
const config = loadProjectorConfig();
const result = await prepareStoresFromConfig(config);
console.log(`migrations applied; topic ${config.KAFKA_TOPIC} ${result.topic}`);
