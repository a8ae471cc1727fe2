import type { KeyObject } from 'node:crypto';
import {
  openCheckpoint,
  sessionDifferences,
  type CheckpointBody,
  type SignedCheckpoint,
} from '@session-authority/audit';
import { readLogEnd, readTopicIdentity } from '@session-authority/event-log';
import {
  arrayRowStream,
  openSinceCheckpoint,
  pinTopic,
  type AuditHistoryRow,
  type SinceCheckpointSnapshot,
  type WholeTableScans,
} from '@session-authority/read-model';
import { foldSessions, type SessionState } from '@session-authority/sessions';
import { checkpointBody, verifiedPartition } from './checkpoint-body.js';
import { inputsOfHistory } from './history-inputs.js';
import { readLog } from '../read-log.js';
import { LogReplay, readFrom, type ReplayStarts } from './log-replay.js';
import { SessionReads } from './session-reads.js';
import {
  columnDifferencesOf,
  readUntil,
  timings,
  type VerifyOptions,
  type VerifyReport,
} from './verify-log.js';

export interface CheckpointDifference {
  readonly partition?: number;
  readonly offset?: bigint;
  readonly kind: 'untrusted' | 'other-log' | 'written-after' | 'row-count' | 'behind';
  readonly detail: string;
}

export interface SinceCheckpointReport extends VerifyReport {
  readonly since: CheckpointBody | undefined;
  readonly checkpointDifferences: readonly CheckpointDifference[];
}

export interface SinceCheckpointOptions extends Omit<VerifyOptions, 'logTopic'> {
  readonly checkpoint: SignedCheckpoint;
  readonly key: KeyObject;
}

const startsOf = (body: CheckpointBody): ReplayStarts => {
  const offsets = (pick: (p: CheckpointBody['partitions'][number]) => string) =>
    new Map(body.partitions.map((p) => [p.partition, BigInt(pick(p))]));
  return {
    auditOffsets: offsets((p) => p.auditOffset),
    sessionsOffsets: offsets((p) => p.sessionsOffset),
    quarantineOffsets: offsets((p) => p.quarantineOffset),
  };
};

/** What PostgreSQL says about the rows the checkpoint vouches for: still all there, none rewritten. */
async function rowsSince(
  body: CheckpointBody,
  snapshot: SinceCheckpointSnapshot,
  scanned: WholeTableScans,
): Promise<CheckpointDifference[]> {
  const found: CheckpointDifference[] = [];
  const starts = startsOf(body);
  const tables = [
    ['audit_events', scanned.auditBelow, 'auditRows', starts.auditOffsets, snapshot.auditOffsets],
    [
      'quarantined_records',
      scanned.quarantineBelow,
      'quarantineRows',
      starts.quarantineOffsets,
      snapshot.quarantineOffsets,
    ],
  ] as const;
  for (const [table, total, signed, from, now] of tables) {
    for (const { partition } of body.partitions)
      if ((now.get(partition) ?? 0n) < (from.get(partition) ?? 0n))
        found.push({ partition, kind: 'behind', detail: `${table} stands before the checkpoint` });
    const counted = body.partitions.reduce((sum, p) => sum + p[signed], 0);
    if (total.written === 0 && total.rows === counted) continue;
    // Rare: something changed below the checkpoint. Only now are the rows counted per partition.
    for (const rows of await snapshot.belowByPartition(table)) {
      const { partition } = rows;
      const start = from.get(partition) ?? 0n;
      if (rows.written > 0)
        found.push({
          partition,
          ...(rows.firstWritten === undefined ? {} : { offset: rows.firstWritten }),
          kind: 'written-after',
          detail: `${rows.written} rows of ${table} below offset ${start} were written after the checkpoint; a full verify names what changed`,
        });
      const signedRows = body.partitions.find((p) => p.partition === partition)?.[signed] ?? 0;
      if (rows.rows !== signedRows)
        found.push({
          partition,
          kind: 'row-count',
          detail: `${table} holds ${rows.rows} rows below offset ${start}; the checkpoint counted ${signedRows}`,
        });
    }
  }
  return found;
}

function byPartition(rows: readonly AuditHistoryRow[]): Map<number, AuditHistoryRow[]> {
  const grouped = new Map<number, AuditHistoryRow[]>();
  for (const row of rows) {
    const list = grouped.get(row.partition) ?? [];
    list.push(row);
    grouped.set(row.partition, list);
  }
  return grouped;
}

/**
 * Verifies from a signed checkpoint on: the checkpoint's signature and log; that no row it vouches
 * for was written since (PostgreSQL's transaction ids) or is gone; every record after it against
 * audit_events and quarantined_records, the chain continuing from the signed head; and the
 * sessions that records after it touched, or that were written since, against the fold of their
 * whole history (their earlier records read from the audit rows the checkpoint vouches for).
 */
export async function verifySinceCheckpoint(
  options: SinceCheckpointOptions,
): Promise<SinceCheckpointReport> {
  const { orm, schema, topic } = options;
  const started = performance.now();
  const opened = openCheckpoint(options.checkpoint, options.key);
  const empty = { chain: [], columns: [], sessions: [], records: 0, seconds: 0 };
  if (!opened.ok)
    return {
      ...empty,
      phases: { snapshot: 0, log: 0, checks: 0 },
      checkpoint: { problem: 'the checkpoint cannot be trusted' },
      since: undefined,
      checkpointDifferences: [
        { kind: 'untrusted', detail: `the checkpoint cannot be trusted: ${opened.problem}` },
      ],
    };
  const since = opened.body;
  const observed = await readTopicIdentity(options.kafka, topic);
  await pinTopic(orm.em, schema, observed);
  const differences: CheckpointDifference[] = [];
  if (observed.clusterId !== since.log.clusterId || observed.topicId !== since.log.topicId)
    differences.push({ kind: 'other-log', detail: 'the checkpoint was made on another log' });
  const snapshot = await openSinceCheckpoint(orm.em, schema, since);
  const snapshotRead = performance.now();
  const starts = startsOf(since);
  // The rows from the checkpoint on are read while the consumer joins and fetches (records are
  // decoded meanwhile); then, in the snapshot's turn, the earlier rows of each session the log
  // names, while the rest of the log is read.
  const fromCheckpoint = snapshot.rowsFromCheckpoint();
  fromCheckpoint.catch(() => undefined); // awaited below, unless the log's end cannot be read
  const reads = new SessionReads((ids) => snapshot.history(ids, starts.sessionsOffsets));
  try {
    const partitions = observed.partitions;
    const signedHead = (p: number) => since.partitions.find((c) => c.partition === p);
    const replay = new LogReplay(
      snapshot,
      (p) => arrayRowStream(fromCheckpoint.then(({ auditRows }) => auditRows.get(p) ?? [])),
      { starts, chainStart: (p) => signedHead(p)?.chain, onKept: (ids) => reads.ask(ids) },
    );
    const until = readUntil(snapshot, await readLogEnd(options.kafka, topic), partitions);
    await readLog(
      options,
      (p) => readFrom(starts, p),
      until,
      (p, batch) => replay.add(p, batch),
    );
    const { quarantine } = await fromCheckpoint;
    const logRead = performance.now();

    const chain = await replay.chainDifferences(partitions);

    // Then the sessions rows written since that no record touched. The scan brought the stored
    // facts of every row written since; only a touched session whose row was not is looked up.
    const scanned = await snapshot.scans;
    const written = new Set(scanned.sessionsWritten.map((facts) => facts.id));
    reads.ask(written);
    const history = byPartition((await reads.all()).flat());
    const unwritten = [...reads.askedFor()].filter((id) => !written.has(id));
    const facts = [
      ...scanned.sessionsWritten,
      ...(unwritten.length === 0 ? [] : await snapshot.sessionFacts(unwritten)),
    ];
    differences.push(...(await rowsSince(since, snapshot, scanned)));
    const folded = new Map<string, SessionState>();
    const atCheckpoint = new Map<string, SessionState>();
    for (let p = 0; p < partitions; p++) {
      const before = inputsOfHistory(history.get(p) ?? []);
      foldSessions(before, atCheckpoint);
      foldSessions([...before, ...(replay.inputs.get(p) ?? [])], folded);
    }
    const sessions = sessionDifferences(folded, facts);
    const created = [...folded.keys()].filter((id) => !atCheckpoint.has(id)).length;
    if (scanned.sessionsRows !== since.sessionsRows + created)
      differences.push({
        kind: 'row-count',
        detail: `sessions holds ${scanned.sessionsRows} rows; the checkpoint counted ${since.sessionsRows} and ${created} were created since`,
      });
    const columns = await columnDifferencesOf(replay, quarantine, options);
    return {
      records: replay.records,
      ...timings(started, snapshotRead, logRead, performance.now()),
      chain,
      columns,
      sessions,
      since,
      checkpointDifferences: differences,
      checkpoint: checkpointBody({
        topic,
        log: observed,
        pgSnapshot: snapshot.pgSnapshot,
        ends: snapshot,
        partitions,
        verified: (p) => verifiedPartition(p, replay.rowsRead(p), quarantine.keys(), signedHead(p)),
        sessionsRows: scanned.sessionsRows,
      }),
    };
  } finally {
    await snapshot.close();
  }
}
