import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEnvelope, type LogPosition } from '@session-authority/events';
import { createKafka } from '@session-authority/event-log';
import { issuedEvent, revokedEvent } from '../support/events.js';
import { waitForProjection } from '../support/projector-probe.js';
import { createRawProducer, type RawProducer } from '../support/raw-producer.js';
import { runScript } from '../support/run-script.js';
import { startService } from '../support/service-process.js';
import { waitFor } from '../support/wait-for.js';
import {
  createTestDatabase,
  createTestTopic,
  kafkaBrokers,
  type TestDatabase,
} from '../support/stores.js';

let db: TestDatabase;
let topic: string;
let producer: RawProducer;
/** Where the records written while no projector ran end. */
let tail: LogPosition[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  topic = await createTestTopic(3);
  producer = await createRawProducer(topic);
});

afterAll(async () => {
  await producer.close();
  await db.drop();
});

const services = () => ({ kafkaBrokers: kafkaBrokers().join(','), databaseUrl: db.url, topic });

function rebuild(schema: string, args: readonly string[], extra: Record<string, string> = {}) {
  return runScript('services/projector/dist/rebuild-cli.js', ['--schema', schema, ...args], {
    PATH: process.env.PATH ?? '',
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_TOPIC: topic,
    FEED_TOPIC: `${topic}.revocations`,
    SESSION_STATE_TOPIC: `${topic}.session-state`,
    DATABASE_URL: db.url,
    LOG_LEVEL: 'warn',
    ...extra,
  });
}

/** Every row of the sessions projection and quarantined_records, as PostgreSQL renders them. */
async function rowsOf(schema: string) {
  const em = db.orm.em.fork();
  const sessions = await em.execute<{ row: string }[]>(
    `select to_jsonb(s)::text as row from "${schema}".sessions s order by id`,
  );
  const quarantined = await em.execute<{ row: string }[]>(
    `select to_jsonb(q)::text as row from "${schema}".quarantined_records q order by log_offset`,
  );
  return { sessions: sessions.map((r) => r.row), quarantined: quarantined.map((r) => r.row) };
}

async function auditCount(schema: string): Promise<string | undefined> {
  const [row] = await db.orm.em
    .fork()
    .execute<{ n: string }[]>(`select count(*) as n from "${schema}".audit_events`);
  return row?.n;
}

/** Each session's events go to one partition, as the log's keying does. */
const partitionOf = (sessionId: string) => parseInt(sessionId.slice(0, 2), 16) % 3;

/** Sends each event to its session's partition; the last position written to each partition. */
async function send(events: readonly ReturnType<typeof issuedEvent | typeof revokedEvent>[]) {
  const last = new Map<number, bigint>();
  for (const event of events) {
    const partition = partitionOf(event.data.session_id);
    const [offset] = await producer.sendEvents(partition, [event]);
    if (offset !== undefined) last.set(partition, offset);
  }
  return [...last].map(([partition, offset]): LogPosition => ({ partition, offset }));
}

interface FromStateSummary {
  stateRecords: number;
  tailRecords: number;
  logRecords: number;
  auditSeconds: number | null;
}

describe('npm run rebuild -- --from-state', () => {
  it('equals a replay of the whole log, and applies only the log after the state checkpoints', async () => {
    const issued = Array.from({ length: 60 }, () => issuedEvent());
    const first = await send(issued);
    const unreadable = issuedEvent();
    const poisoned = partitionOf(unreadable.data.session_id);
    const [poison] = await producer.send(poisoned, [
      encodeEnvelope({ ...unreadable, data: { ...unreadable.data, token_sha256: 'not-a-digest' } }),
    ]);
    const projector = await startService('projector', services());
    try {
      await waitForProjection(db, topic, [...first, { partition: poisoned, offset: poison ?? 0n }]);
      // Sessions the state holds twice (issued, then revoked) and sessions it holds once.
      const later = [
        ...issued.slice(0, 20).map((e) => revokedEvent(e.data)),
        ...Array.from({ length: 10 }, () => issuedEvent()),
      ];
      await waitForProjection(db, topic, await send(later));
    } finally {
      await projector.stop();
    }
    // Written while no projector runs: in the log, not in the state.
    tail = await send(issued.slice(20, 25).map((e) => revokedEvent(e.data)));

    const full = await rebuild('full_replay', []);
    expect(full.code, full.stderr).toBe(0);
    const fromState = await rebuild('from_state', ['--from-state']);
    expect(fromState.code, fromState.stderr).toBe(0);
    const summary = JSON.parse(fromState.stdout) as FromStateSummary;
    // 70 sessions, 20 of them written twice, and one quarantined record.
    expect(summary.stateRecords).toBeGreaterThanOrEqual(71);
    expect(summary.tailRecords).toBe(5);
    // 60 + 1 + 30 + 5 events and the topic's identity record.
    expect(summary.logRecords).toBe(97);
    expect(summary.auditSeconds).not.toBeNull();

    const replayed = await rowsOf('full_replay');
    expect(replayed.sessions).toHaveLength(71);
    expect(replayed.quarantined).toHaveLength(1);
    expect(await rowsOf('from_state')).toEqual(replayed);
    expect(await auditCount('from_state')).toBe(await auditCount('full_replay'));
  });

  it('a state topic new to a read model with history is filled from the read model first', async () => {
    const stateTopic = `${topic}.state-added-later`;
    const projector = await startService('projector', {
      ...services(),
      extra: { SESSION_STATE_TOPIC: stateTopic },
    });
    try {
      await waitForProjection(db, topic, tail);
    } finally {
      await projector.stop();
    }
    expect(projector.output()).toContain('session state filled from the read model');

    const fromState = await rebuild('from_later_state', ['--from-state'], {
      SESSION_STATE_TOPIC: stateTopic,
      PROJECTIONS: 'sessions',
    });
    expect(fromState.code, fromState.stderr).toBe(0);
    const summary = JSON.parse(fromState.stdout) as FromStateSummary;
    expect(summary).toMatchObject({ tailRecords: 0, auditSeconds: null });
    expect(await rowsOf('from_later_state')).toEqual(await rowsOf('public'));
    expect(await rowsOf('public')).toEqual(await rowsOf('full_replay'));
  });

  it('a state topic deleted and made again is filled again, not refused', async () => {
    const stateTopic = `${topic}.state-added-later`;
    const admin = createKafka({ brokers: kafkaBrokers(), clientId: 'test-admin' }).admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [stateTopic] });
      await waitFor(
        'the state topic to be gone',
        async () => !(await admin.listTopics()).includes(stateTopic),
      );
    } finally {
      await admin.disconnect();
    }
    const projector = await startService('projector', {
      ...services(),
      extra: { SESSION_STATE_TOPIC: stateTopic },
    });
    await projector.stop();
    expect(projector.output()).toContain('the session-state topic was made again: filling it');
    const fromState = await rebuild('from_remade_state', ['--from-state'], {
      SESSION_STATE_TOPIC: stateTopic,
      PROJECTIONS: 'sessions',
    });
    expect(fromState.code, fromState.stderr).toBe(0);
    expect(await rowsOf('from_remade_state')).toEqual(await rowsOf('full_replay'));
  });
});
