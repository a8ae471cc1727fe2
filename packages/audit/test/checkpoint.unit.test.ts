import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CheckpointKeyError,
  keyIdOf,
  openCheckpoint,
  signCheckpoint,
  signingKeyFrom,
  type CheckpointBody,
} from '@session-authority/audit';

const pemOf = (type: 'ed25519' | 'ec') => {
  const { privateKey } =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
};

const body: CheckpointBody = {
  version: 1,
  topic: 'session-events',
  log: { clusterId: 'cluster', topicId: 'topic' },
  verifiedAt: '2026-12-03T11:00:00.000Z',
  snapshot: '740:742:741',
  sessionsRows: 2,
  partitions: [
    {
      partition: 0,
      auditOffset: '3',
      chain: 'a'.repeat(64),
      auditRows: 3,
      sessionsOffset: '3',
      quarantineOffset: '3',
      quarantineRows: 0,
    },
  ],
};

describe('signed checkpoints', () => {
  const key = signingKeyFrom(pemOf('ed25519'));

  it('opens what its key signed, as signed', () => {
    const signed = signCheckpoint(body, key);
    expect(signed.keyId).toBe(keyIdOf(key));
    expect(openCheckpoint(signed, key)).toEqual({ ok: true, body });
  });

  it('refuses a body changed after signing, and a signature by another key', () => {
    const signed = signCheckpoint(body, key);
    const forged = { ...signed, body: signed.body.replace('"auditRows":3', '"auditRows":4') };
    expect(openCheckpoint(forged, key)).toEqual({
      ok: false,
      problem: 'its signature does not match its content',
    });
    const other = signingKeyFrom(pemOf('ed25519'));
    const byOther = signCheckpoint(body, other);
    expect(openCheckpoint(byOther, key)).toMatchObject({ ok: false });
    // The key id alone proves nothing: a signature by another key under this key's id fails too.
    expect(openCheckpoint({ ...byOther, keyId: keyIdOf(key) }, key)).toEqual({
      ok: false,
      problem: 'its signature does not match its content',
    });
  });

  it('takes only an Ed25519 private key', () => {
    expect(() => signingKeyFrom(pemOf('ec'))).toThrow(CheckpointKeyError);
    expect(() => signingKeyFrom('not a key')).toThrow('not a PEM private key');
  });
});
