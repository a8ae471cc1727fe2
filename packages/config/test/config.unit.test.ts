import { describe, expect, it } from 'vitest';
import { ConfigError, loadAuthApiConfig, loadProjectorConfig } from '@session-authority/config';

describe('service configuration', () => {
  it('starts on embedded defaults, given an admin key', () => {
    const config = loadAuthApiConfig({ ADMIN_API_KEY: 'k'.repeat(32) });
    expect(config).toMatchObject({
      PUBLIC_PORT: 4433,
      ADMIN_PORT: 4434,
      PUBLIC_BASE_PATH: '/auth',
      KAFKA_TOPIC: 'session-events',
      KAFKA_TOPIC_PARTITIONS: 12,
      KAFKA_REPLICATION_FACTOR: 1,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
    });
    expect(loadProjectorConfig({}).PROJECTOR_PORT).toBe(4435);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadAuthApiConfig({
        PUBLIC_PORT: 'http',
        ADMIN_API_KEY: 'short',
        DATABASE_URL: 'mysql://x',
        PUBLIC_BASE_PATH: '/auth/',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(problems.sort()).toEqual([
      'ADMIN_API_KEY',
      'DATABASE_URL',
      'PUBLIC_BASE_PATH',
      'PUBLIC_PORT',
    ]);
  });

  it('splits broker lists', () => {
    expect(loadProjectorConfig({ KAFKA_BROKERS: 'a:1, b:2,' }).KAFKA_BROKERS).toEqual([
      'a:1',
      'b:2',
    ]);
  });
});
