import { randomUUID } from 'node:crypto';
import {
  createFeedWriter,
  createKafka,
  ensureCompactedTopic,
  ensureTopic,
  readLogEnd,
  type FeedEntry,
} from '@session-authority/event-log';
import { FEED_CHECKPOINT_KEY, type FeedRevocation } from '@session-authority/events';
import { startProbe } from './probe.js';

export interface BootstrapResult {
  readonly revoked: number;
  readonly seconds: number;
  /** Resident memory of the client process once it holds the set (after a GC). */
  readonly rssMiB: number;
  readonly peakRssMiB: number;
  /** The revoked-session table alone. */
  readonly tableMiB: number;
  /** The same process before it connected: Node and the modules it loaded. */
  readonly startRssMiB: number;
  /** The same bootstrap with node --max-semi-space-size=SMALL_SEMI_SPACE_MIB. */
  readonly smallYoungGeneration: { readonly seconds: number; readonly rssMiB: number };
}

/** A young generation this small keeps V8 from growing it to 128 MiB while the feed streams by. */
export const SMALL_SEMI_SPACE_MIB = 2;

const PARTITIONS = 12;
/** Under the broker's 1 MiB record-batch limit at about 250 bytes a revocation. */
const CHUNK = 2000;
const mib = (bytes: string | undefined) => Math.round((Number(bytes) / 2 ** 20) * 10) / 10;

function revocation(partition: number, offset: number, expiresAt: string): FeedEntry {
  const value: FeedRevocation = {
    session_id: randomUUID(),
    identity_id: randomUUID(),
    revoked_at: new Date().toISOString(),
    expires_at: expiresAt,
    reason: 'logout',
    source: { partition, offset: String(offset) },
  };
  return { key: value.session_id, value: JSON.stringify(value) };
}

/**
 * Writes a feed of `count` revoked, unexpired sessions (as the projector writes it, checkpoints
 * last) beside an empty log, then times a client in its own process from start to ready.
 */
export async function measureBootstrap(
  brokers: readonly string[],
  count: number,
): Promise<BootstrapResult> {
  const connection = { brokers, clientId: 'bench-feed' };
  const feedTopic = `bench-feed-${Date.now()}`;
  const logTopic = `${feedTopic}.log`;
  const spec = { partitions: PARTITIONS, replicationFactor: 1 };
  await ensureTopic(connection, { topic: logTopic, ...spec });
  await ensureCompactedTopic(connection, { topic: feedTopic, ...spec });
  const writer = await createFeedWriter({ ...connection, topic: feedTopic });
  const expiresAt = new Date(Date.now() + 24 * 3_600_000).toISOString();
  const perPartition = Math.ceil(count / PARTITIONS);
  try {
    for (let start = 0; start < perPartition; start += CHUNK) {
      await Promise.all(
        Array.from({ length: PARTITIONS }, (_, partition) => {
          const end = Math.min(perPartition, start + CHUNK, count - partition * perPartition);
          const entries = Array.from({ length: Math.max(0, end - start) }, (_, i) =>
            revocation(partition, start + i, expiresAt),
          );
          return writer.write(partition, entries);
        }),
      );
    }
    const checkpoint = { key: FEED_CHECKPOINT_KEY, value: JSON.stringify({ next: '0' }) };
    await Promise.all(
      Array.from({ length: PARTITIONS }, (_, partition) => writer.write(partition, [checkpoint])),
    );
  } finally {
    await writer.close();
  }

  const bootstrapOnce = async (nodeFlags: string[]) => {
    const args = [brokers.join(','), logTopic, feedTopic];
    const probe = startProbe('revocations-probe.js', args, ['--expose-gc', ...nodeFlags]);
    try {
      const [ms, rss, peak, held, table, startRss] = await probe.ready;
      return { ms: Number(ms), rss, peak, held: Number(held), table, startRss };
    } finally {
      probe.stop();
    }
  };
  try {
    const defaults = await bootstrapOnce([]);
    const smallYoung = await bootstrapOnce([`--max-semi-space-size=${SMALL_SEMI_SPACE_MIB}`]);
    return {
      revoked: Math.min(defaults.held, smallYoung.held),
      seconds: Math.round(defaults.ms / 10) / 100,
      rssMiB: mib(defaults.rss),
      peakRssMiB: mib(defaults.peak),
      tableMiB: mib(defaults.table),
      startRssMiB: mib(defaults.startRss),
      smallYoungGeneration: {
        seconds: Math.round(smallYoung.ms / 10) / 100,
        rssMiB: mib(smallYoung.rss),
      },
    };
  } finally {
    const admin = createKafka(connection).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [feedTopic, logTopic] }).finally(() => admin.disconnect());
  }
}

export interface FollowResult {
  /** The most records the client reported itself behind, sampled every 50 ms during the load. */
  readonly maxLagRecords: number;
  /** Log records behind the log's end when the load stopped. */
  readonly lagAtEndRecords: number;
  /** The same, in seconds of the events the load appended. */
  readonly lagAtEndSeconds: number;
  /** From the load's end until the client had applied everything. */
  readonly catchUpMs: number;
}

const sumOf = (offsets: Iterable<bigint>) => [...offsets].reduce((sum, next) => sum + next, 0n);

/** Runs `load` (one event per request) while a client in its own process follows the log. */
export async function followDuring<T extends { readonly throughput: number }>(
  brokers: readonly string[],
  topics: { readonly log: string; readonly feed: string },
  load: () => Promise<T>,
): Promise<{ result: T; follow: FollowResult }> {
  const probe = startProbe('revocations-probe.js', [brokers.join(','), topics.log, topics.feed]);
  try {
    await probe.ready;
    const startedAt = performance.timeOrigin + performance.now();
    const result = await load();
    const endedAt = performance.timeOrigin + performance.now();
    const during = probe.positions.filter((p) => p.at >= startedAt && p.at <= endedAt);
    const end = sumOf(
      (await readLogEnd({ brokers, clientId: 'bench-follow' }, topics.log)).values(),
    );
    const atEnd = probe.positions.filter((p) => p.at <= endedAt).at(-1)?.applied ?? 0n;
    const deadline = Date.now() + 30_000;
    let caughtUp = probe.positions.find((p) => p.applied >= end);
    while (caughtUp === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      caughtUp = probe.positions.find((p) => p.applied >= end);
    }
    const lagAtEndRecords = Math.max(0, Number(end - atEnd));
    return {
      result,
      follow: {
        maxLagRecords: Math.max(0, ...during.map((p) => p.lag)),
        lagAtEndRecords,
        lagAtEndSeconds:
          result.throughput === 0
            ? 0
            : Math.round((lagAtEndRecords / result.throughput) * 1000) / 1000,
        catchUpMs: caughtUp === undefined ? 30_000 : Math.max(0, Math.round(caughtUp.at - endedAt)),
      },
    };
  } finally {
    probe.stop();
  }
}
