import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('refuses the old name of a renamed setting instead of ignoring it', () => {
    expect(() =>
      loadAuthApiConfig({ ADMIN_API_KEY: 'k'.repeat(32), CONSISTENCY_POLL_MS: '100' }),
    ).toThrow(/CONSISTENCY_POLL_MS: renamed to PROJECTION_WATERMARK_POLL_MS/);
    expect(
      loadAuthApiConfig({ ADMIN_API_KEY: 'k'.repeat(32), PROJECTION_WATERMARK_POLL_MS: '100' })
        .PROJECTION_WATERMARK_POLL_MS,
    ).toBe(100);
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

  it('keeps both projections unless told otherwise, and never goes without sessions', () => {
    expect(loadProjectorConfig({}).PROJECTIONS).toEqual(['sessions', 'audit']);
    expect(loadProjectorConfig({ PROJECTIONS: 'sessions' }).PROJECTIONS).toEqual(['sessions']);
    expect(() => loadProjectorConfig({ PROJECTIONS: 'audit' })).toThrow(/PROJECTIONS/);
    expect(() => loadProjectorConfig({ PROJECTIONS: 'sessions,gossip' })).toThrow(/PROJECTIONS/);
  });

  it('reads earliest_possible_extend as off when unset or empty, and as a duration otherwise', () => {
    const key = { ADMIN_API_KEY: 'k'.repeat(32) };
    expect(loadAuthApiConfig(key).SESSION_EARLIEST_POSSIBLE_EXTEND).toBeUndefined();
    const empty = { ...key, SESSION_EARLIEST_POSSIBLE_EXTEND: '' };
    expect(loadAuthApiConfig(empty).SESSION_EARLIEST_POSSIBLE_EXTEND).toBeUndefined();
    const hour = { ...key, SESSION_EARLIEST_POSSIBLE_EXTEND: '1h' };
    expect(loadAuthApiConfig(hour).SESSION_EARLIEST_POSSIBLE_EXTEND).toBe(3_600_000);
    const bad = { ...key, SESSION_EARLIEST_POSSIBLE_EXTEND: 'soon' };
    expect(() => loadAuthApiConfig(bad)).toThrow(/SESSION_EARLIEST_POSSIBLE_EXTEND/);
  });

  it('reads Kafka TLS and SASL settings, the password from the environment or a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sa-config-'));
    const ca = join(dir, 'ca.pem');
    const passwordFile = join(dir, 'password');
    writeFileSync(ca, 'PEM');
    writeFileSync(passwordFile, 'from-a-file\n');
    const base = {
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: ca,
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'svc',
    };
    expect(loadProjectorConfig({ ...base, KAFKA_SASL_PASSWORD: 'env' }).KAFKA_SECURITY).toEqual({
      ssl: { ca: 'PEM' },
      sasl: { mechanism: 'scram-sha-256', username: 'svc', password: 'env' },
    });
    expect(
      loadProjectorConfig({ ...base, KAFKA_SASL_PASSWORD_FILE: passwordFile }).KAFKA_SECURITY.sasl
        ?.password,
    ).toBe('from-a-file');
    expect(loadProjectorConfig({}).KAFKA_SECURITY).toEqual({});
  });

  it.each([
    [
      'a CA file that is not there',
      { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' },
      /KAFKA_SSL_CA_FILE: cannot read/,
    ],
    [
      'TLS files without KAFKA_SSL',
      { KAFKA_SSL_CA_FILE: '/etc/hostname' },
      /KAFKA_SSL: the TLS files are set/,
    ],
    [
      'a certificate without its key',
      { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/etc/hostname' },
      /go together/,
    ],
    [
      'a mechanism without a user',
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'p' },
      /KAFKA_SASL_USERNAME: required/,
    ],
    [
      'both a password and a password file',
      {
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
        KAFKA_SASL_PASSWORD_FILE: '/etc/hostname',
      },
      /exactly one/,
    ],
    ['an unknown mechanism', { KAFKA_SASL_MECHANISM: 'gssapi' }, /KAFKA_SASL_MECHANISM/],
  ])('refuses %s, with a clear problem', (_name, env, problem) => {
    expect(() => loadProjectorConfig(env)).toThrow(problem);
  });
});
