import { createPrivateKey, createPublicKey, hash, sign, verify, type KeyObject } from 'node:crypto';

/** What one verification established about one partition, as of its PostgreSQL snapshot. */
export interface PartitionCheckpoint {
  readonly partition: number;
  /** The audit projection's next offset: every row below it matched the log. */
  readonly auditOffset: string;
  /** chain_sha256 of the last row below auditOffset (the chain's start when there is none). */
  readonly chain: string;
  /** How many audit_events rows lie below auditOffset. */
  readonly auditRows: number;
  readonly sessionsOffset: string;
  readonly quarantineOffset: string;
  /** How many quarantined_records rows lie below quarantineOffset. */
  readonly quarantineRows: number;
}

/**
 * A verification that found no difference, as a verifier signs it. The next verification may
 * start from here: it needs the records after these offsets, and PostgreSQL's word (the
 * snapshot) on which rows were written since.
 */
export interface CheckpointBody {
  readonly version: 1;
  readonly topic: string;
  readonly log: { readonly clusterId: string; readonly topicId: string };
  readonly verifiedAt: string;
  /** The pg_snapshot the projections were read in (xmin:xmax:xip…). */
  readonly snapshot: string;
  readonly sessionsRows: number;
  readonly partitions: readonly PartitionCheckpoint[];
}

export interface SignedCheckpoint {
  /** The body exactly as signed (JSON text): it is stored and checked as these bytes. */
  readonly body: string;
  /** Ed25519 signature of body's UTF-8 bytes, base64. */
  readonly signature: string;
  readonly keyId: string;
}

export class CheckpointKeyError extends Error {}

/**
 * The signing key: an Ed25519 private key as PEM (PKCS#8), from a file or from the environment.
 * Its public half checks checkpoints; the database never holds either.
 */
export function signingKeyFrom(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new CheckpointKeyError('the audit signing key is not a PEM private key');
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new CheckpointKeyError(
      `the audit signing key must be Ed25519, not ${key.asymmetricKeyType ?? 'unknown'}`,
    );
  return key;
}

/** Names a key without revealing it: the first 16 hex digits of its public key's SHA-256. */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return hash('sha256', publicKey.export({ type: 'spki', format: 'der' }), 'hex').slice(0, 16);
}

export function signCheckpoint(body: CheckpointBody, key: KeyObject): SignedCheckpoint {
  const text = JSON.stringify(body);
  return {
    body: text,
    signature: sign(null, Buffer.from(text, 'utf8'), key).toString('base64'),
    keyId: keyIdOf(key),
  };
}

/** The body of a checkpoint whose signature this key made, or why it cannot be trusted. */
export function openCheckpoint(
  signed: SignedCheckpoint,
  key: KeyObject,
): { ok: true; body: CheckpointBody } | { ok: false; problem: string } {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (signed.keyId !== keyIdOf(publicKey))
    return { ok: false, problem: `it was signed by key ${signed.keyId}, not by this one` };
  const valid = verify(
    null,
    Buffer.from(signed.body, 'utf8'),
    publicKey,
    Buffer.from(signed.signature, 'base64'),
  );
  if (!valid) return { ok: false, problem: 'its signature does not match its content' };
  const body = JSON.parse(signed.body) as Omit<CheckpointBody, 'version'> & { version: unknown };
  if (body.version !== 1)
    return { ok: false, problem: `version ${String(body.version)} is unknown` };
  return { ok: true, body: { ...body, version: 1 } };
}
