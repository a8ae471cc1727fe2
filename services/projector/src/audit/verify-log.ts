import { randomBytes } from 'node:crypto';
import {
  firstChainDifference,
  recordSha256,
  sessionDifferences,
  type ChainDifference,
  type LoggedRecord,
  type SessionDifference,
} from '@session-authority/audit';
import {
  decodeRecords,
  type PositionedRecord,
  type QuarantinedRecord,
} from '@session-authority/events';
import {
  createKafkaSubscription,
  readLogEnd,
  readTopicIdentity,
  type KafkaConnection,
} from '@session-authority/event-log';
import {
  pinTopic,
  readVerificationSnapshot,
  type ColumnDifference,
  type ReadModelOrm,
} from '@session-authority/read-model';
import { AuditColumnCheck, quarantineDifferences } from './column-checks.js';
import {
  foldSessions,
  projectionInputsOf,
  type PositionedInput,
  type SessionState,
} from '@session-authority/sessions';

export interface VerifyOptions {
  readonly orm: ReadModelOrm;
  readonly schema: string;
  /** The topic the projections were made from. */
  readonly topic: string;
  /** The log to replay: `topic` itself, or a copy of it (an auditor's, or one kept elsewhere). */
  readonly logTopic?: string;
  readonly kafka: KafkaConnection;
  readonly timeoutMs?: number;
  /** Called now and then while the log is read: records so far, of how many. */
  readonly onProgress?: (read: number, total: bigint) => void;
}

export interface VerifyReport {
  readonly records: number;
  readonly seconds: number;
  /** Where the time went: the PostgreSQL snapshot, reading and decoding the log, the two checks. */
  readonly phases: { readonly snapshot: number; readonly log: number; readonly checks: number };
  readonly chain: readonly ChainDifference[];
  /** Shown columns of audit_events and quarantined_records that differ from their log record. */
  readonly columns: readonly ColumnDifference[];
  readonly sessions: readonly SessionDifference[];
}

function eventIdOf({ record }: PositionedRecord): string | null {
  const id = record.headers.ce_id;
  return id === undefined ? null : id.toString();
}

/** Every record of each partition below `until`, in offset order, then stops. */
async function readLog(
  options: VerifyOptions,
  until: ReadonlyMap<number, bigint>,
  onRecords: (partition: number, records: readonly PositionedRecord[]) => void,
): Promise<void> {
  const pending = new Set([...until].filter(([, end]) => end > 0n).map(([p]) => p));
  if (pending.size === 0) return;
  const subscription = createKafkaSubscription({
    ...options.kafka,
    topic: options.logTopic ?? options.topic,
    groupId: `audit-verify.${randomBytes(6).toString('hex')}`,
  });
  const { promise: done, resolve: finish, reject } = Promise.withResolvers<undefined>();
  await subscription.start({
    startOffsets: (partitions) => Promise.resolve(new Map(partitions.map((p) => [p, 0n]))),
    onOutOfRange: reject,
    handleBatch: (batch) => {
      const end = until.get(batch.partition) ?? 0n;
      const records = batch.records.filter((r) => r.offset < end);
      if (records.length > 0) onRecords(batch.partition, records);
      const last = batch.records.at(-1)?.offset;
      if (
        last !== undefined &&
        last + 1n >= end &&
        pending.delete(batch.partition) &&
        pending.size === 0
      )
        finish(undefined);
      return Promise.resolve('continue' as const);
    },
  });
  const timeoutMs = options.timeoutMs ?? 600_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the log was not read to its end within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([done, timedOut]);
  } finally {
    clearTimeout(timer);
    await subscription.stop();
  }
}

/**
 * Replays the log from the beginning and compares it with what the projections hold, as of one
 * snapshot of PostgreSQL: per partition the first record whose hash, order or presence differs
 * from audit_events; every shown column of audit_events and quarantined_records that differs
 * from its record; then every difference between the sessions read model and the fold of the
 * log (the same rule the projector applies).
 */
export async function verifyAgainstLog(options: VerifyOptions): Promise<VerifyReport> {
  const { orm, schema, topic } = options;
  const started = performance.now();
  const logTopic = options.logTopic ?? topic;
  const observed = await readTopicIdentity(options.kafka, logTopic);
  // A copy of the log is another topic by design; the log itself must be the one pinned.
  if (options.logTopic === undefined) await pinTopic(orm.em, schema, observed);
  const snapshot = await readVerificationSnapshot(orm.em, schema, topic);
  const snapshotRead = performance.now();
  const partitions = observed.partitions;
  const logEnd = await readLogEnd(options.kafka, logTopic);
  // Up to where the projections stand, or to the log's end if it is shorter than that (then
  // the rows past its end are reported as extra).
  const until = new Map<number, bigint>();
  const endsOf = (partition: number) => ({
    audit: snapshot.auditOffsets.get(partition) ?? 0n,
    sessions: snapshot.sessionsOffsets.get(partition) ?? 0n,
    quarantine: snapshot.quarantineOffsets.get(partition) ?? 0n,
  });
  for (let p = 0; p < partitions; p++) {
    const projected = Object.values(endsOf(p)).reduce((a, b) => (a > b ? a : b), 0n);
    const end = logEnd.get(p) ?? 0n;
    until.set(p, projected < end ? projected : end);
  }
  const logged = new Map<number, LoggedRecord[]>();
  const inputs = new Map<number, PositionedInput[]>();
  const quarantined: (QuarantinedRecord & { partition: number })[] = [];
  const auditColumns = new AuditColumnCheck(snapshot.auditRows);
  let records = 0;
  const total = [...until.values()].reduce((sum, end) => sum + end, 0n);
  let reported = performance.now();
  await readLog(options, until, (partition, batch) => {
    records += batch.length;
    if (performance.now() - reported > 1000) {
      reported = performance.now();
      options.onProgress?.(records, total);
    }
    const ends = endsOf(partition);
    const auditEnd = ends.audit;
    const sessionsEnd = ends.sessions;
    const decoded = decodeRecords(batch);
    const problems = new Map(decoded.quarantined.map((q) => [q.offset, q.problem]));
    for (const q of decoded.quarantined)
      if (q.offset < ends.quarantine) quarantined.push({ ...q, partition });
    const hashes = logged.get(partition) ?? [];
    for (const r of batch) {
      if (r.offset >= auditEnd) continue;
      hashes.push({
        offset: r.offset,
        recordSha256: recordSha256(partition, r.offset, r.record),
        eventId: eventIdOf(r),
      });
      auditColumns.check(partition, r, problems.get(r.offset));
    }
    logged.set(partition, hashes);
    const list = inputs.get(partition) ?? [];
    const fresh = projectionInputsOf(decoded.events, decoded.quarantined);
    list.push(...fresh.filter((input) => input.offset < sessionsEnd));
    inputs.set(partition, list);
  });

  const logRead = performance.now();
  const chain: ChainDifference[] = [];
  for (let p = 0; p < partitions; p++) {
    const difference = firstChainDifference(
      p,
      logged.get(p) ?? [],
      snapshot.auditRows.get(p) ?? [],
    );
    if (difference !== undefined) chain.push(difference);
  }
  // Partitions are independent: each one's inputs fold in its own log order.
  const folded = new Map<string, SessionState>();
  for (const list of inputs.values()) foldSessions(list, folded);
  const sessions = sessionDifferences(folded, snapshot.sessions);
  const columns = [
    ...(await auditColumns.differences(orm, schema, topic)),
    ...quarantineDifferences(snapshot.quarantine, quarantined),
  ];
  const done = performance.now();
  const seconds = (from: number, to: number) => Math.round(to - from) / 1000;
  return {
    records,
    seconds: seconds(started, done),
    phases: {
      snapshot: seconds(started, snapshotRead),
      log: seconds(snapshotRead, logRead),
      checks: seconds(logRead, done),
    },
    chain,
    columns,
    sessions,
  };
}
