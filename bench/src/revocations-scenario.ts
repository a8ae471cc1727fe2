import { randomUUID } from 'node:crypto';
import {
  createFeedWriter,
  createKafka,
  ensureCompactedTopic,
  ensureTopic,
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
  /** The most records the client was behind the log's end during the load. */
  readonly maxLagRecords: number;
  readonly maxLagSeconds: number;
  /** Log records behind the log's end at its last sample, as the load stopped. */
  readonly lagAtEndRecords: number;
  /** The same, in seconds of the events the load appended. */
  readonly lagAtEndSeconds: number;
  /** From that last sample until the client had applied everything up to it. */
  readonly catchUpMs: number;
}

const sumOf = (offsets: Iterable<bigint>) => [...offsets].reduce((sum, next) => sum + next, 0n);

/** The log's end (sum over partitions) every 100 ms, from one admin connection. */
async function sampleLogEnd(brokers: readonly string[], topic: string) {
  const admin = createKafka({ brokers, clientId: 'bench-follow' }).admin();
  await admin.connect();
  const samples: { readonly at: number; readonly end: bigint }[] = [];
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(async () => {
      const offsets = await admin.fetchTopicOffsets(topic);
      const at = performance.timeOrigin + performance.now();
      samples.push({ at, end: sumOf(offsets.map((o) => BigInt(o.high))) });
    });
  }, 100);
  return {
    samples,
    stop: async () => {
      clearInterval(timer);
      await sampling;
      await admin.disconnect();
    },
  };
}

/**
 * Runs `load` (one event per request) while a client in its own process follows the log. Its
 * lag is the log's end, sampled every 100 ms, less what the client had applied at its latest
 * report before (every 50 ms): up to 50 ms of events more than the true lag, never less.
 */
export async function followDuring<T extends { readonly throughput: number }>(
  brokers: readonly string[],
  topics: { readonly log: string; readonly feed: string },
  load: () => Promise<T>,
): Promise<{ result: T; follow: FollowResult }> {
  const probe = startProbe('revocations-probe.js', [brokers.join(','), topics.log, topics.feed]);
  try {
    await probe.ready;
    const logEnd = await sampleLogEnd(brokers, topics.log);
    const result = await load().finally(logEnd.stop);
    const appliedAt = (at: number) =>
      probe.positions.filter((p) => p.at <= at).at(-1)?.applied ?? 0n;
    const lags = logEnd.samples.map(({ at, end }) => Math.max(0, Number(end - appliedAt(at))));
    const last = logEnd.samples.at(-1) ?? { at: 0, end: 0n };
    const deadline = Date.now() + 30_000;
    let caughtUp = probe.positions.find((p) => p.applied >= last.end);
    while (caughtUp === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      caughtUp = probe.positions.find((p) => p.applied >= last.end);
    }
    const lagAtEndRecords = lags.at(-1) ?? 0;
    const seconds = (records: number) =>
      result.throughput === 0 ? 0 : Math.round((records / result.throughput) * 1000) / 1000;
    return {
      result,
      follow: {
        maxLagRecords: Math.max(0, ...lags),
        maxLagSeconds: seconds(Math.max(0, ...lags)),
        lagAtEndRecords,
        lagAtEndSeconds: seconds(lagAtEndRecords),
        catchUpMs: caughtUp === undefined ? 30_000 : Math.max(0, Math.round(caughtUp.at - last.at)),
      },
    };
  } finally {
    probe.stop();
  }
}
