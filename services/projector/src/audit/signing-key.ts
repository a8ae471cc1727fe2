import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { CheckpointKeyError, keyIdOf, signingKeyFrom } from '@session-authority/audit';
import type { ChainHead } from '@session-authority/read-model';

/** The checkpoint signing key the environment names, if any. */
export function loadSigningKey(env: {
  AUDIT_SIGNING_KEY_FILE?: string | undefined;
  AUDIT_SIGNING_KEY?: string | undefined;
}): KeyObject | undefined {
  if (env.AUDIT_SIGNING_KEY !== undefined) return signingKeyFrom(env.AUDIT_SIGNING_KEY);
  const file = env.AUDIT_SIGNING_KEY_FILE;
  if (file === undefined) return undefined;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CheckpointKeyError(
      `AUDIT_SIGNING_KEY_FILE ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  return signingKeyFrom(pem);
}

const publicPem = (key: KeyObject) =>
  createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();

/** A new Ed25519 key in a new file only its owner can read; never overwrites one. */
export function writeNewSigningKey(path: string): { keyId: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  return { keyId: keyIdOf(privateKey), publicKey: publicPem(privateKey) };
}

/**
 * The chain heads, signed, for a witness outside the authority: it keeps them, and later heads
 * must extend them (the same offset must still carry the same chain_sha256).
 */
export function signedHeads(topic: string, heads: readonly ChainHead[], key: KeyObject) {
  const body = JSON.stringify({
    topic,
    signedAt: new Date().toISOString(),
    heads: heads.map((h) => ({
      partition: h.partition,
      offset: String(h.offset),
      chain_sha256: h.chainSha256,
    })),
  });
  return {
    body,
    signature: sign(null, Buffer.from(body, 'utf8'), key).toString('base64'),
    keyId: keyIdOf(key),
    publicKey: publicPem(key),
  };
}
