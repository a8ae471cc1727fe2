import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTopic, pingKafka } from '@session-authority/event-log';
import {
  freePort,
  makeBrokerCertificate,
  startKafkaBroker,
  stopKafkaBroker,
  type BrokerCertificate,
} from '@session-authority/local-infra';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSession, logout, whoami } from '../support/http.js';
import { runServiceToExit } from '../support/run-script.js';
import { startService, type RunningService } from '../support/service-process.js';
import { createTestDatabase, uniqueName, type TestDatabase } from '../support/stores.js';

// A broker of this file's own with a SASL_SSL listener; the services are given only that one.
const BROKER = `secured-${process.pid}`;
const USER = { username: 'authority', password: 'correct-horse-battery-staple' };
let dir: string;
let cert: BrokerCertificate;
let untrusted: BrokerCertificate;
let securedBrokers: string;
let db: TestDatabase;
let topic: string;
const services: RunningService[] = [];

const security = (ca: string, password = USER.password) => ({
  ssl: { ca },
  sasl: { mechanism: 'scram-sha-512' as const, username: USER.username, password },
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sa-tls-'));
  cert = await makeBrokerCertificate(dir);
  untrusted = await makeBrokerCertificate(dir, 'stranger');
  const securedPort = await freePort();
  await startKafkaBroker({
    name: BROKER,
    port: await freePort(),
    controllerPort: await freePort(),
    secured: {
      port: securedPort,
      keystore: cert.keystore,
      keystorePassword: cert.password,
      users: [USER],
    },
  });
  securedBrokers = `127.0.0.1:${securedPort}`;
  db = await createTestDatabase();
  topic = uniqueName('secured-events');
  await ensureTopic(
    {
      brokers: [securedBrokers],
      clientId: 'test-setup',
      security: security(readFileSync(cert.caFile, 'utf8')),
    },
    { topic, partitions: 3, replicationFactor: 1 },
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await db.drop();
  await stopKafkaBroker(BROKER, { removeData: true });
  rmSync(dir, { recursive: true, force: true });
});

function securedEnv(caFile: string, password: Record<string, string>): Record<string, string> {
  return {
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: caFile,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: USER.username,
    ...password,
  };
}

describe('Kafka over SASL_SSL, the only listener the services know', () => {
  it('issue, logout on one replica, whoami 401 on the other: both replicas and the projector through TLS and SCRAM', async () => {
    const passwordFile = join(dir, 'kafka-password');
    writeFileSync(passwordFile, `${USER.password}\n`);
    const base = { kafkaBrokers: securedBrokers, databaseUrl: db.url, topic };
    const projector = await startService('projector', {
      ...base,
      extra: securedEnv(cert.caFile, { KAFKA_SASL_PASSWORD: USER.password }),
    });
    services.push(projector);
    const apiEnv = {
      ...base,
      extra: securedEnv(cert.caFile, { KAFKA_SASL_PASSWORD_FILE: passwordFile }),
    };
    const [a, b] = await Promise.all([
      startService('auth-api', apiEnv, 'api-a'),
      startService('auth-api', apiEnv, 'api-b'),
    ]);
    services.push(a, b);
    const session = await issueSession(a);
    expect((await whoami(b, session.token)).status).toBe(200);
    expect((await logout(b, session.token)).status).toBe(204);
    expect((await whoami(a, session.token)).status).toBe(401);
    for (const service of [a, b, projector]) expect(service.output()).not.toContain(USER.password);
  });

  it('PLAIN and SCRAM-SHA-256 are accepted too', async () => {
    const ca = readFileSync(cert.caFile, 'utf8');
    for (const mechanism of ['plain', 'scram-sha-256'] as const) {
      const sasl = { mechanism, username: USER.username, password: USER.password };
      expect(
        await pingKafka({
          brokers: [securedBrokers],
          clientId: 'test-ping',
          security: { ssl: { ca }, sasl },
        }),
      ).toBe(true);
    }
  });

  it.each([
    [
      'a wrong password',
      () => securedEnv(cert.caFile, { KAFKA_SASL_PASSWORD: 'wrong-password' }),
      /SASL|[Aa]uthentication/,
    ],
    [
      'an untrusted certificate',
      () => securedEnv(untrusted.caFile, { KAFKA_SASL_PASSWORD: USER.password }),
      /certificate|self.signed|verify/i,
    ],
  ])('%s: one clear fatal line and exit code 1, not a retry loop', async (_name, env, reason) => {
    for (const entry of [
      'services/projector/dist/main.js',
      'services/auth-api/dist/server.js',
    ] as const) {
      const run = await runServiceToExit(entry, {
        KAFKA_BROKERS: securedBrokers,
        KAFKA_TOPIC: topic,
        DATABASE_URL: db.url,
        ...env(),
      });
      const output = run.output;
      expect(run.code, output).toBe(1);
      expect(run.fatal, output).toHaveLength(1);
      expect(run.fatal[0]).toMatch(reason);
      expect(output).not.toContain(USER.password);
    }
  });
});
