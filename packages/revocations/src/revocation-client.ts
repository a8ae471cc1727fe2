import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import type { Batch, Consumer, Kafka, KafkaConfig } from 'kafkajs';
import { CONSUMER_SETTINGS, resolveKafka } from './kafka-connection.js';
import {
  LogOutOfRangeError,
  positionOutOfRange,
  readLogRanges,
  type LogRanges,
} from './log-range.js';
import { readFeedToEnd } from './feed-bootstrap.js';
import { readFeedInProcess } from './feed-bootstrap-child.js';
import { restartOnCrash } from './restart-on-crash.js';
import { MalformedPositionError, PositionTimeoutError, PositionWaits } from './position-waits.js';
import { expirySeconds } from './session-id.js';
import { SessionIdSet } from './session-id-set.js';
import type {
  RevocationClientEvents,
  RevocationClientOptions,
} from './revocation-client-options.js';
import { parsePositionHeader, revocationOfLogRecord } from './wire.js';

/**
 * The revoked, unexpired sessions of an authority, kept in memory by reading its revocation
 * feed to the end and then tailing its log from the feed's checkpoints.
 */
export class RevocationClient extends EventEmitter<RevocationClientEvents> {
  private revoked: SessionIdSet;
  private readonly kafka: Kafka;
  /** Set when the feed is read in a process of its own: the configuration it connects with. */
  private readonly bootstrapConfig: KafkaConfig | undefined;
  private bootstrapProcess: ChildProcess | undefined;
  /** Per log partition, the next offset to apply, and the waits for positions. */
  private readonly positions = new PositionWaits();
  private readonly highWatermarks = new Map<number, bigint>();
  private readonly consumers: Consumer[] = [];
  private readonly now: () => number;
  private pruneTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private failedWith: LogOutOfRangeError | undefined;

  private constructor(private readonly options: RevocationClientOptions) {
    super();
    this.revoked = new SessionIdSet();
    this.now = options.now ?? Date.now;
    ({ kafka: this.kafka, bootstrapConfig: this.bootstrapConfig } = resolveKafka(options.kafka));
  }

  /** Resolves once the client has applied the log up to the end it saw after reading the feed. */
  static async start(options: RevocationClientOptions): Promise<RevocationClient> {
    const client = new RevocationClient(options);
    try {
      await client.readFeed(await readLogRanges(client.kafka, client.feedTopic));
      await client.tailLog(await readLogRanges(client.kafka, client.logTopic));
    } catch (error) {
      await client.close();
      throw error;
    }
    client.pruneTimer = setInterval(() => {
      client.prune();
    }, options.pruneIntervalMs ?? 1000);
    client.pruneTimer.unref();
    return client;
  }

  /** True while the session is revoked and not yet expired. */
  isRevoked(sessionId: string): boolean {
    const expiry = this.revoked.expiryOf(sessionId);
    return expiry !== undefined && expiry > this.nowSeconds();
  }

  /**
   * Resolves once every position of a `Session-Log-Position` header has been applied; rejects
   * with PositionTimeoutError after `timeoutMs`, with MalformedPositionError when it is not such a
   * header, and with the client's `failure` once it has stopped following the log.
   */
  waitFor(positionHeader: string, timeoutMs: number): Promise<void> {
    const positions = parsePositionHeader(positionHeader);
    if (positions === undefined) return Promise.reject(new MalformedPositionError());
    return this.positions.wait(positions, {
      ms: timeoutMs,
      error: () => new PositionTimeoutError(positionHeader, timeoutMs),
    });
  }

  /** Per log partition, the next offset to apply: everything below it is applied. */
  position(): ReadonlyMap<number, bigint> {
    return this.positions.entries();
  }

  /** Log records the client is behind the latest end it has seen. */
  lag(): number {
    let behind = 0n;
    for (const [partition, high] of this.highWatermarks) {
      const gap = high - this.positions.next(partition);
      if (gap > 0n) behind += gap;
    }
    return Number(behind);
  }

  /** Why the client stopped following the log, once it has (see the `failed` event). */
  get failure(): LogOutOfRangeError | undefined {
    return this.failedWith;
  }

  /** Revoked sessions held (expired ones until the next prune). */
  get size(): number {
    return this.revoked.size;
  }

  /** Bytes of the revoked-session table. */
  get tableBytes(): number {
    return this.revoked.bytes;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pruneTimer);
    this.positions.fail(new Error('the revocation client is closed'));
    this.bootstrapProcess?.kill();
    await Promise.all(this.consumers.map((consumer) => consumer.disconnect()));
  }

  /** Drops the entries that have expired; the timer calls it every pruneIntervalMs. */
  prune(): void {
    const dropped = this.revoked.deleteExpired(this.nowSeconds());
    if (dropped > 0) this.emit('expired', dropped);
  }

  private get logTopic(): string {
    return this.options.logTopic ?? 'session-events';
  }

  private get feedTopic(): string {
    return this.options.feedTopic ?? 'session-revocations';
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private groupId(): string {
    return `${this.options.groupIdPrefix ?? 'revocations'}-${randomUUID()}`;
  }

  private newConsumer(): Consumer {
    const consumer = this.kafka.consumer({ ...CONSUMER_SETTINGS, groupId: this.groupId() });
    consumer.on(consumer.events.CRASH, ({ payload }) => this.emit('crash', payload.error));
    this.consumers.push(consumer);
    return consumer;
  }

  private async readFeed(end: LogRanges): Promise<void> {
    const nowSeconds = this.nowSeconds();
    const config = this.bootstrapConfig;
    if (config !== undefined) {
      const input = { config, topic: this.feedTopic, end, nowSeconds, groupId: this.groupId() };
      const read = await readFeedInProcess(input, (child) => (this.bootstrapProcess = child));
      this.bootstrapProcess = undefined;
      this.revoked = SessionIdSet.adopt(read.table);
      for (const [partition, next] of read.positions) this.positions.set(partition, next);
      return;
    }
    const consumer = this.newConsumer();
    try {
      await readFeedToEnd(consumer, this.feedTopic, end, {
        nowSeconds,
        revoked: this.revoked,
        positions: this.positions,
      });
    } finally {
      await consumer.disconnect();
      this.consumers.splice(this.consumers.indexOf(consumer), 1);
    }
    // Grown while the feed streamed by; from here on the set changes by a few a second.
    this.revoked.fit();
  }

  private async tailLog(end: LogRanges): Promise<void> {
    // A checkpoint the log does not hold: a feed of another log, or records deleted unread.
    const wrong = positionOutOfRange(this.logTopic, this.positions.entries(), end);
    if (wrong !== undefined) throw wrong;
    const target = new Map<number, bigint>();
    for (const [partition, { high }] of end) {
      this.highWatermarks.set(partition, high);
      if (high > 0n) target.set(partition, high - 1n);
    }
    const consumer = this.newConsumer();
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const partition of payload.memberAssignment[this.logTopic] ?? []) {
        const offset = this.positions.next(partition);
        consumer.seek({ topic: this.logTopic, partition, offset: offset.toString() });
      }
    });
    const run = async () => {
      await consumer.connect();
      await consumer.subscribe({ topic: this.logTopic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: ({ batch }) => {
          this.applyLogBatch(batch);
          return Promise.resolve();
        },
      });
    };
    // A client that stopped tailing for good would answer from a table that no longer grows.
    restartOnCrash(consumer, run, () => this.closed || this.failedWith !== undefined);
    await run();
    await this.positions.wait(target);
  }

  private applyLogBatch(batch: Batch): void {
    const partition = batch.partition;
    let expected = this.positions.next(partition);
    if (this.failedWith !== undefined) return;
    const first = batch.messages[0];
    const high = BigInt(batch.highWatermark);
    // The log has no records where the client stands: kafkajs moved the fetch to one of its ends.
    if ((first !== undefined && BigInt(first.offset) > expected) || high < expected) {
      const low = first === undefined ? 0n : BigInt(first.offset);
      this.fail(new LogOutOfRangeError(this.logTopic, partition, expected, { low, high }));
      return;
    }
    const nowSeconds = this.nowSeconds();
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      // Below the checkpoint the feed has it already (a fetch can start before the seek lands).
      if (offset < expected) continue;
      expected = offset + 1n;
      const revocation = revocationOfLogRecord(partition, offset, message);
      if (revocation === undefined || this.revoked.has(revocation.sessionId)) continue;
      const expiry = expirySeconds(revocation.expiresAtMs);
      if (expiry <= nowSeconds) continue;
      this.revoked.add(revocation.sessionId, expiry);
      this.emit('revoked', revocation);
    }
    this.positions.set(partition, expected);
    if (high > (this.highWatermarks.get(partition) ?? 0n)) this.highWatermarks.set(partition, high);
  }

  private fail(error: LogOutOfRangeError): void {
    this.failedWith = error;
    this.positions.fail(error);
    this.emit('failed', error);
  }
}
