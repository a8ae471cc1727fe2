import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKafkaAppender, readLogEnd } from '@session-authority/event-log';
import {
  SESSION_ISSUED_V1,
  SESSION_REVOKED_V2,
  type EventEnvelope,
} from '@session-authority/events';
import {
  lastPositions,
  PostgresProjectionWatermark,
  SESSIONS_PROJECTION,
} from '@session-authority/read-model';
import { generateToken, tokenDigest } from '@session-authority/sessions';
import pg from 'pg';

export interface SeededSession {
  readonly sessionId: string;
  readonly token: string;
}

export type RandomBytes = (size: number) => Buffer;

/** Deterministic bytes (xorshift32) so that a run with the same seed drives the same workload. */
export function seededRandomBytes(seed: number): RandomBytes {
  let state = seed >>> 0 || 1;
  return (size) => {
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      bytes[i] = state & 0xff;
    }
    return bytes;
  };
}

function uuidFrom(random: RandomBytes): string {
  const b = random(16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function makeSessions(count: number, random: RandomBytes = randomBytes): SeededSession[] {
  return Array.from({ length: count }, () => ({
    sessionId: uuidFrom(random),
    token: generateToken(random),
  }));
}

export function issuedEnvelope(
  session: SeededSession,
  now = new Date(),
  identityId: string = randomUUID(),
): EventEnvelope {
  const at = now.toISOString();
  return {
    id: randomUUID(),
    source: 'urn:session-authority:bench',
    type: SESSION_ISSUED_V1,
    time: at,
    subject: session.sessionId,
    data: {
      session_id: session.sessionId,
      identity_id: identityId,
      token_sha256: tokenDigest(session.token),
      issued_at: at,
      authenticated_at: at,
      expires_at: new Date(now.getTime() + 86_400_000).toISOString(),
      actor: { type: 'system', id: 'bench' },
      request_id: randomUUID(),
    },
  };
}

/** A logout of a seeded session, as the API would append it. */
export function revokedEnvelope(session: SeededSession, now = new Date()): EventEnvelope {
  const at = now.toISOString();
  return {
    id: randomUUID(),
    source: 'urn:session-authority:bench',
    type: SESSION_REVOKED_V2,
    time: at,
    subject: session.sessionId,
    data: {
      session_id: session.sessionId,
      identity_id: randomUUID(),
      token_sha256: tokenDigest(session.token),
      revoked_at: at,
      session_expires_at: new Date(now.getTime() + 86_400_000).toISOString(),
      reason: 'logout',
      actor: { type: 'system', id: 'bench' },
      request_id: randomUUID(),
    },
  };
}

/** Sessions that share one identity: the first is the caller, the others its other sessions. */
export interface SeededIdentity {
  readonly identityId: string;
  readonly sessions: readonly SeededSession[];
}

export function makeIdentities(
  count: number,
  sessionsEach: number,
  random: RandomBytes,
): SeededIdentity[] {
  return Array.from({ length: count }, () => ({
    identityId: uuidFrom(random),
    sessions: makeSessions(sessionsEach, random),
  }));
}

/** Issues sessions the way the admin API would, straight into the log, then waits for the projection. */
export async function seedEventSourced(
  stack: { brokers: string[]; topic: string; databaseUrl: string },
  sessions: readonly SeededSession[],
  identities: readonly SeededIdentity[] = [],
): Promise<void> {
  const envelopes = [
    ...sessions.map((s) => issuedEnvelope(s)),
    ...identities.flatMap(({ identityId, sessions: own }) =>
      own.map((s) => issuedEnvelope(s, new Date(), identityId)),
    ),
  ];
  const appender = await createKafkaAppender({
    brokers: stack.brokers,
    clientId: 'bench-seed',
    topic: stack.topic,
  });
  try {
    for (let i = 0; i < envelopes.length; i += 5000) {
      await appender.append(envelopes.slice(i, i + 5000));
    }
  } finally {
    await appender.close();
  }
  const end = await readLogEnd({ brokers: stack.brokers, clientId: 'bench-seed' }, stack.topic);
  const watermark = new PostgresProjectionWatermark({
    url: stack.databaseUrl,
    schema: 'public',
    projection: SESSIONS_PROJECTION,
    topic: stack.topic,
    pollMs: 500,
  });
  await watermark.start();
  try {
    if (!(await watermark.waitFor(lastPositions(end), 300_000)))
      throw new Error('the projection did not catch up with the seed');
  } finally {
    await watermark.close();
  }
  // Settle before measuring: planner statistics for the new rows, dirty pages written out.
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    await client.query('vacuum analyze sessions');
    await client.query('checkpoint').catch(() => undefined); // superuser only
  } finally {
    await client.end();
  }
}

/**
 * Rows straight into the sessions read model, for the read-only listing benchmark: what matters
 * there is the query over a table this size, not how the rows got in (the log is measured
 * elsewhere). They are never in the log, so nothing else may rely on them.
 */
export async function seedReadModelRows(databaseUrl: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let done = 0; done < count; done += 100_000) {
      await client.query(
        `insert into sessions (id, identity_id, token_sha256, issued_at, authenticated_at,
           expires_at, devices, log_partition, log_offset)
         select gen_random_uuid(), gen_random_uuid(), encode(sha256(('bench-row:' || n)::bytea), 'hex'),
           now(), now(), now() + interval '1 day',
           '[{"id": "00000000-0000-4000-8000-000000000000", "ip_address": "192.0.2.1", "user_agent": "bench"}]',
           0, -1
         from generate_series($1::int, $2::int) as n`,
        [done, Math.min(count, done + 100_000) - 1],
      );
    }
    await client.query('vacuum analyze sessions');
  } finally {
    await client.end();
  }
}

/** The identity of audit row group k, as PostgreSQL's md5(text)::uuid makes it. */
export function benchAuditIdentity(k: number): string {
  const hex = createHash('md5').update(`bench-identity:${k}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * `count` rows straight into audit_events of `topic`, `identities` identities with count /
 * identities rows each, on partitions 1000 and up that the log does not have (so the live
 * projection never meets them), for the audit query benchmark; like seedReadModelRows, what
 * is measured is the query over a table this size.
 */
export async function seedAuditRows(
  databaseUrl: string,
  topic: string,
  count: number,
  identities: number,
): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let done = 0; done < count; done += 100_000) {
      await client.query(
        `insert into audit_events (topic, log_partition, log_offset, at, event_id, type, session_id,
           identity_id, actor_type, actor_id, reason, request_id, source, data, record_sha256,
           chain_sha256)
         select $1, 1000 + n % 12, n, now() - n * interval '1 millisecond', gen_random_uuid()::text,
           'session.issued.v2', gen_random_uuid(), md5('bench-identity:' || (n % $4::int))::uuid,
           'admin', 'bench', null, 'bench-' || n, 'urn:session-authority:bench',
           '{"bench": true}', md5(n::text) || md5(n::text), md5(n::text) || md5(n::text)
         from generate_series($2::int, $3::int) as n`,
        [topic, done, Math.min(count, done + 100_000) - 1, identities],
      );
    }
    await client.query('vacuum analyze audit_events');
  } finally {
    await client.end();
  }
}

/** The CRUD baseline's table, with its own sessions. */
export async function seedBaseline(databaseUrl: string, sessions: readonly SeededSession[]) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`create table if not exists crud_sessions (
      id uuid primary key, token_sha256 varchar(64) not null unique,
      expires_at timestamptz not null, revoked_at timestamptz null)`);
    for (let i = 0; i < sessions.length; i += 10_000) {
      const chunk = sessions.slice(i, i + 10_000);
      await client.query(
        `insert into crud_sessions (id, token_sha256, expires_at)
         select unnest($1::uuid[]), unnest($2::text[]), now() + interval '1 day'`,
        [chunk.map((s) => s.sessionId), chunk.map((s) => tokenDigest(s.token))],
      );
    }
    await client.query('analyze crud_sessions');
  } finally {
    await client.end();
  }
}

export function writeTokens(dir: string, name: string, sessions: readonly SeededSession[]): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.tokens`);
  writeFileSync(file, sessions.map((s) => s.token).join('\n') + '\n');
  return file;
}
