import {
  sessionDifferences,
  type ChainDifference,
  type CheckpointBody,
  type SessionDifference,
} from '@session-authority/audit';
import { readLogEnd, readTopicIdentity, type KafkaConnection } from '@session-authority/event-log';
import {
  pinTopic,
  openVerificationSnapshot,
  type ColumnDifference,
  type ProjectionEnds,
  type ReadModelOrm,
} from '@session-authority/read-model';
import type { RuledFields } from '@session-authority/sessions';
import { checkpointBody, verifiedPartition } from './checkpoint-body.js';
import { quarantineDifferences } from './column-checks.js';
import { LogReplay } from './log-replay.js';
import { readLog } from '../read-log.js';

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
  /** What a signed checkpoint of this verification holds, or why there can be none. */
  readonly checkpoint: { readonly body: CheckpointBody } | { readonly problem: string };
}

/**
 * Up to where the projections stand, or to the log's end if it is shorter than that (then the
 * rows past its end are reported as extra).
 */
export function readUntil(
  ends: ProjectionEnds,
  logEnd: ReadonlyMap<number, bigint>,
  partitions: number,
): Map<number, bigint> {
  const until = new Map<number, bigint>();
  for (let p = 0; p < partitions; p++) {
    const projected = [ends.auditOffsets, ends.sessionsOffsets, ends.quarantineOffsets]
      .map((m) => m.get(p) ?? 0n)
      .reduce((a, b) => (a > b ? a : b), 0n);
    const end = logEnd.get(p) ?? 0n;
    until.set(p, projected < end ? projected : end);
  }
  return until;
}

const secondsBetween = (from: number, to: number) => Math.round(to - from) / 1000;

/** A verification's time, in all and by phase, from the instants each phase ended. */
export function timings(started: number, snapshotRead: number, logRead: number, done: number) {
  return {
    seconds: secondsBetween(started, done),
    phases: {
      snapshot: secondsBetween(started, snapshotRead),
      log: secondsBetween(snapshotRead, logRead),
      checks: secondsBetween(logRead, done),
    },
  };
}

/** Each shown column of audit_events and quarantined_records the replay found different. */
export async function columnDifferencesOf(
  replay: LogReplay,
  quarantine: ReadonlyMap<string, Record<string, string | null>>,
  { orm, schema, topic }: Pick<VerifyOptions, 'orm' | 'schema' | 'topic'>,
): Promise<ColumnDifference[]> {
  return [
    ...(await replay.auditColumns.differences(orm, schema, topic)),
    ...quarantineDifferences(quarantine, replay.quarantined),
  ];
}

/**
 * Replays the log from the beginning and compares it with what the projections hold, as of one
 * snapshot of PostgreSQL read a page of audit rows at a time beside the log: per partition the
 * first record whose hash, order or presence differs from audit_events; every shown column of
 * audit_events and quarantined_records that differs from its record; then every difference
 * between the sessions read model and the fold of the log (the same rule the projector applies).
 */
export async function verifyAgainstLog(options: VerifyOptions): Promise<VerifyReport> {
  const { orm, schema, topic } = options;
  const started = performance.now();
  const logTopic = options.logTopic ?? topic;
  const observed = await readTopicIdentity(options.kafka, logTopic);
  // A copy of the log is another topic by design; the log itself must be the one pinned.
  if (options.logTopic === undefined) await pinTopic(orm.em, schema, observed);
  const snapshot = await openVerificationSnapshot(orm.em, schema, topic);
  try {
    const snapshotRead = performance.now();
    const partitions = observed.partitions;
    const until = readUntil(snapshot, await readLogEnd(options.kafka, logTopic), partitions);
    // Partitions are independent: each one's inputs fold in its own log order, as they are read.
    const folded = new Map<string, RuledFields>();
    const replay = new LogReplay(snapshot, (p) => snapshot.auditRows(p), { foldInto: folded });
    const total = [...until.values()].reduce((sum, end) => sum + end, 0n);
    let reported = performance.now();
    await readLog(
      options,
      () => 0n,
      until,
      async (partition, batch) => {
        await replay.add(partition, batch);
        if (performance.now() - reported > 1000) {
          reported = performance.now();
          options.onProgress?.(replay.records, total);
        }
      },
    );

    const logRead = performance.now();
    const chain = await replay.chainDifferences(partitions);
    const rows = await snapshot.sessions();
    const sessions = sessionDifferences(folded, rows);
    const columns = await columnDifferencesOf(replay, snapshot.quarantine, options);
    return {
      records: replay.records,
      ...timings(started, snapshotRead, logRead, performance.now()),
      chain,
      columns,
      sessions,
      checkpoint:
        options.logTopic !== undefined
          ? { problem: 'a copy of the log was verified, not the log' }
          : checkpointBody({
              topic,
              log: observed,
              pgSnapshot: snapshot.pgSnapshot,
              ends: snapshot,
              partitions,
              verified: (p) => verifiedPartition(p, replay.rowsRead(p), snapshot.quarantine.keys()),
              sessionsRows: rows.length,
            }),
    };
  } finally {
    await snapshot.close();
  }
}
