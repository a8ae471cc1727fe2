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

  it.each([
    ['0', 0],
    ['1', 1],
    ['10.0.0.0/8, 192.168.1.7,::1', ['10.0.0.0/8', '192.168.1.7', '::1']],
    ['fd00::/8', ['fd00::/8']],
  ])('TRUST_PROXY=%s is %j', (value, expected) => {
    const key = { ADMIN_API_KEY: 'k'.repeat(32) };
    expect(loadAuthApiConfig({ ...key, TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it.each(['true', '*', '10.0.0.0/33', 'proxy.local', '10.0.0.1/8/9'])(
    'TRUST_PROXY=%s is refused: never trust every hop',
    (value) => {
      expect(() =>
        loadAuthApiConfig({ ADMIN_API_KEY: 'k'.repeat(32), TRUST_PROXY: value }),
      ).toThrow(/TRUST_PROXY: a hop count or a list of addresses and CIDRs/);
    },
  );

  it('reads lifespans as milliseconds and refuses a zero one', () => {
    const config = loadAuthApiConfig({ ADMIN_API_KEY: 'k'.repeat(32) });
    expect(config.SESSION_DEFAULT_LIFESPAN).toBe(86_400_000);
    expect(config.SESSION_MAX_LIFESPAN).toBe(8760 * 3_600_000);
    expect(() =>
      loadAuthApiConfig({ ADMIN_API_KEY: 'k'.repeat(32), SESSION_MAX_LIFESPAN: '0s' }),
    ).toThrow(/SESSION_MAX_LIFESPAN/);
  });
});
