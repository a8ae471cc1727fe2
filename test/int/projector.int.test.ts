import { encodeEnvelope, type SessionIssuedV2 } from '@session-authority/events';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { issuedEvent, revokedEvent } from '../support/events.js';
import {
  metricValue,
  sessionRow,
  storedOffsets,
  waitForProjection,
} from '../support/projector-probe.js';
import { createRawProducer, type RawProducer } from '../support/raw-producer.js';
import { runScript } from '../support/run-script.js';
import { startService, type RunningService } from '../support/service-process.js';
import {
  createTestDatabase,
  createTestTopic,
  kafkaBrokers,
  type TestDatabase,
} from '../support/stores.js';
import { waitFor } from '../support/wait-for.js';

const started: { stop(): Promise<void> }[] = [];

/** A database, a topic and a projector process of this test's own. */
async function setup(): Promise<{
  db: TestDatabase;
  topic: string;
  producer: RawProducer;
  startProjector: (until?: 'ready' | 'alive') => Promise<RunningService>;
}> {
  const db = await createTestDatabase();
  const topic = await createTestTopic(2);
  const producer = await createRawProducer(topic);
  started.push({ stop: () => producer.close() }, { stop: () => db.drop() });
  const startProjector = async (until: 'ready' | 'alive' = 'ready') => {
    const projector = await startService(
      'projector',
      { kafkaBrokers: kafkaBrokers().join(','), databaseUrl: db.url, topic },
      'projector',
      until,
    );
    started.unshift(projector);
    return projector;
  };
  return { db, topic, producer, startProjector };
}

afterEach(async () => {
  for (const resource of started.splice(0)) await resource.stop();
});

afterAll(async () => {
  for (const resource of started.splice(0)) await resource.stop();
});

const iso = (value: Date | string | null | undefined) =>
  value === null || value === undefined ? value : new Date(value).toISOString();

describe('the projector process', () => {
  it('a duplicated revocation in the log changes nothing: the first one stands', async () => {
    const { db, topic, producer, startProjector } = await setup();
    await startProjector();
    const issued = issuedEvent();
    const first = revokedEvent(issued.data, new Date(Date.now() + 1000));
    const later = revokedEvent(issued.data, new Date(Date.now() + 5000));
    const offsets = await producer.sendEvents(0, [issued, first, first, later, first]);
    await waitForProjection(db, topic, [{ partition: 0, offset: offsets.at(-1) ?? 0n }]);

    const row = await sessionRow(db, issued.data.session_id);
    expect(iso(row?.revoked_at)).toBe(first.data.revoked_at);
  });

  it('skips and counts event types it does not know, and applies what follows', async () => {
    const { db, topic, producer, startProjector } = await setup();
    const projector = await startProjector();
    const future = encodeEnvelope({ ...issuedEvent(), type: 'session.renamed.v9' });
    const after = issuedEvent();
    const offsets = await producer.send(1, [future, encodeEnvelope(after)]);
    await waitForProjection(db, topic, [{ partition: 1, offset: offsets.at(-1) ?? 0n }]);

    expect(await sessionRow(db, after.data.session_id)).toBeDefined();
    expect(
      await metricValue(projector, 'projector_events_skipped_unknown_total', 'session.renamed.v9'),
    ).toBe(1);
  });

  it('a record keyed by a session that fails its schema is quarantined: that session is revoked, the rest goes on', async () => {
    const { db, topic, producer, startProjector } = await setup();
    const projector = await startProjector();
    const active = issuedEvent();
    const unreadableIssue = issuedEvent();
    const revocation = revokedEvent(active.data);
    const badRevocation = encodeEnvelope({
      ...revocation,
      data: { ...revocation.data, token_sha256: 'not-a-digest' },
    });
    const badIssue = encodeEnvelope({
      ...unreadableIssue,
      data: { ...unreadableIssue.data, expires_at: '+010000-01-01T00:00:00.000Z' },
    });
    const behind = issuedEvent();
    const offsets = await producer.send(0, [
      encodeEnvelope(active),
      badRevocation,
      badIssue,
      encodeEnvelope(unreadableIssue),
      encodeEnvelope(behind),
    ]);
    await waitForProjection(db, topic, [{ partition: 0, offset: offsets.at(-1) ?? 0n }]);

    expect(await sessionRow(db, active.data.session_id)).toMatchObject({
      revoke_reason: 'quarantined',
    });
    // The unreadable issuance left a revoked tombstone; its later readable copy cannot revive it.
    expect(await sessionRow(db, unreadableIssue.data.session_id)).toMatchObject({
      revoke_reason: 'quarantined',
    });
    expect(await sessionRow(db, behind.data.session_id)).toMatchObject({ revoke_reason: null });
    const quarantined = await db.orm.em
      .fork()
      .execute<{ log_offset: string; session_id: string; type: string; problem: string }[]>(
        'select log_offset, session_id, type, problem from quarantined_records order by log_offset',
      );
    expect(quarantined.map((q) => [BigInt(q.log_offset), q.session_id, q.type])).toEqual([
      [offsets[1], active.data.session_id, 'session.revoked.v2'],
      [offsets[2], unreadableIssue.data.session_id, 'session.issued.v2'],
    ]);
    expect(quarantined[0]?.problem).toContain('token_sha256');
    expect(await metricValue(projector, 'projector_quarantined_records_total')).toBe(2);
    expect(projector.output()).toMatch(/"level":40.*record quarantined/);
    expect((await fetch(`http://127.0.0.1:${projector.port}/health/ready`)).status).toBe(200);

    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: db.url };
    const listed = await runScript('services/projector/dist/quarantine-cli.js', ['--json'], env);
    expect(listed.code, listed.stderr).toBe(3);
    const lines = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as object);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ sessionId: active.data.session_id, topic });
    const readable = await runScript('services/projector/dist/quarantine-cli.js', [], env);
    expect(readable.stdout).toMatch(/^quarantined at\s+topic\s+partition:offset/);
  });

  it('a record with no session id as key halts its partition across restarts, until an operator skips exactly that record', async () => {
    const { db, topic, producer, startProjector } = await setup();
    let projector = await startProjector();
    const before = issuedEvent();
    const poison = { ...encodeEnvelope(issuedEvent()), key: Buffer.from('not-a-session-id') };
    const behind = issuedEvent();
    const elsewhere = issuedEvent();
    const [, poisonOffset] = await producer.send(0, [
      encodeEnvelope(before),
      poison,
      encodeEnvelope(behind),
    ]);
    const [elsewhereOffset] = await producer.sendEvents(1, [elsewhere]);

    const halted = async (service: RunningService) => {
      await waitFor('the poison metric of partition 0', async () =>
        (await metricValue(service, 'projector_poison_events_total', 'partition="0"')) === 1
          ? true
          : undefined,
      );
      expect(await sessionRow(db, before.data.session_id)).toBeDefined();
      expect(await sessionRow(db, behind.data.session_id)).toBeUndefined();
      expect((await storedOffsets(db, topic)).get(0)).toBe(poisonOffset);
      expect((await fetch(`http://127.0.0.1:${service.port}/health/ready`)).status).toBe(503);
    };
    await halted(projector);
    await waitForProjection(db, topic, [{ partition: 1, offset: elsewhereOffset ?? 0n }]);

    await projector.stop();
    projector = await startProjector('alive');
    await halted(projector);

    // The operator's way out: skip exactly that record, restart, and the partition goes on.
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, KAFKA_TOPIC: topic };
    const skip = (offset: bigint) =>
      runScript(
        'services/projector/dist/quarantine-cli.js',
        ['skip', '--partition', '0', '--offset', offset.toString()],
        env,
      );
    expect((await skip((poisonOffset ?? 0n) + 1n)).code).toBe(1);
    const skipped = await skip(poisonOffset ?? 0n);
    expect(skipped.code, skipped.stderr).toBe(0);
    await projector.stop();
    const resumed = await startProjector();
    await waitForProjection(db, topic, [{ partition: 0, offset: (poisonOffset ?? 0n) + 1n }]);
    expect(await metricValue(resumed, 'projector_poison_events_total')).toBe(0);
    expect(await sessionRow(db, behind.data.session_id)).toBeDefined();
  });

  it('killed with SIGKILL mid-stream and restarted, it resumes from the stored offsets: nothing lost, nothing applied twice', async () => {
    const { db, topic, producer, startProjector } = await setup();
    const first = await startProjector();
    const sessions: SessionIssuedV2[] = [];
    const send = async (count: number) => {
      const events = Array.from({ length: count }, () => issuedEvent());
      sessions.push(...events.map((e) => e.data));
      // Small requests, so the projector sees many batches and the kill lands between some.
      for (let i = 0; i < events.length; i += 100) {
        await producer.sendEvents(0, events.slice(i, i + 100));
      }
    };
    await send(3000);
    await waitFor('some progress', async () =>
      ((await storedOffsets(db, topic)).get(0) ?? 0n) > 1n ? true : undefined,
    );
    await first.kill();

    const revoked = sessions.slice(0, 500).map((s) => revokedEvent(s));
    await send(1000);
    for (let i = 0; i < revoked.length; i += 100) {
      await producer.sendEvents(0, revoked.slice(i, i + 100));
    }
    // Partition 0 starts with the topic's identity record, which the projector skips.
    const total = 1n + BigInt(sessions.length + revoked.length);
    // Read just before the restart, not at the kill: a COMMIT the killed process had already
    // sent still lands in PostgreSQL a moment after the process is gone.
    const appliedBeforeKill = (await storedOffsets(db, topic)).get(0) ?? 0n;

    const second = await startProjector();
    await waitForProjection(db, topic, [{ partition: 0, offset: total - 1n }]);
    const [counts] = await db.orm.em
      .fork()
      .execute<{ sessions: string; revoked: string }[]>(
        'select count(*) as sessions, count(revoked_at) as revoked from sessions',
      );
    expect(Number(counts?.sessions)).toBe(sessions.length);
    expect(Number(counts?.revoked)).toBe(revoked.length);
    // The restarted process applied exactly what the first had not committed.
    expect(await metricValue(second, 'projector_events_applied_total')).toBe(
      Number(total - appliedBeforeKill),
    );
  });
});
