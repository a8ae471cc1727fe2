import type { KeyObject } from 'node:crypto';
import {
  firstChainDifference,
  openCheckpoint,
  sessionDifferences,
  type ChainDifference,
  type CheckpointBody,
  type SignedCheckpoint,
} from '@session-authority/audit';
import { readLogEnd, readTopicIdentity } from '@session-authority/event-log';
import {
  openSinceCheckpoint,
  pinTopic,
  type AuditHistoryRow,
  type SinceCheckpointSnapshot,
} from '@session-authority/read-model';
import { foldSessions, type SessionState } from '@session-authority/sessions';
import { checkpointBody, verifiedPartition } from './checkpoint-body.js';
import { inputsOfHistory } from './history-inputs.js';
import { readLog } from '../read-log.js';
import { LogReplay, type ReplayStarts } from './log-replay.js';
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
function rowsSince(
  body: CheckpointBody,
  snapshot: SinceCheckpointSnapshot,
): CheckpointDifference[] {
  const found: CheckpointDifference[] = [];
  const starts = startsOf(body);
  for (const p of body.partitions) {
    const { partition } = p;
    const tables = [
      [
        'audit_events',
        snapshot.auditBelow,
        p.auditRows,
        starts.auditOffsets,
        snapshot.auditOffsets,
      ],
      [
        'quarantined_records',
        snapshot.quarantineBelow,
        p.quarantineRows,
        starts.quarantineOffsets,
        snapshot.quarantineOffsets,
      ],
    ] as const;
    for (const [table, below, signedRows, from, now] of tables) {
      const rows = below.find((b) => b.partition === partition);
      const start = from.get(partition) ?? 0n;
      if ((now.get(partition) ?? 0n) < start)
        found.push({ partition, kind: 'behind', detail: `${table} stands before the checkpoint` });
      if (rows !== undefined && rows.written > 0)
        found.push({
          partition,
          ...(rows.firstWritten === undefined ? {} : { offset: rows.firstWritten }),
          kind: 'written-after',
          detail: `${rows.written} rows of ${table} below offset ${start} were written after the checkpoint; a full verify names what changed`,
        });
      if ((rows?.rows ?? 0) !== signedRows)
        found.push({
          partition,
          kind: 'row-count',
          detail: `${table} holds ${rows?.rows ?? 0} rows below offset ${start}; the checkpoint counted ${signedRows}`,
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
  try {
    differences.push(...rowsSince(since, snapshot));
    const snapshotRead = performance.now();
    const starts = startsOf(since);
    const partitions = observed.partitions;
    const until = readUntil(snapshot, await readLogEnd(options.kafka, topic), partitions);
    const replay = new LogReplay(snapshot, snapshot.auditRows, starts);
    await readLog(
      options,
      (p) => replay.readFrom(p),
      until,
      (p, batch) => replay.add(p, batch),
    );
    const logRead = performance.now();

    const signedHead = (p: number) => since.partitions.find((c) => c.partition === p);
    const chain: ChainDifference[] = [];
    for (let p = 0; p < partitions; p++) {
      const start = signedHead(p)?.chain;
      const logged = replay.logged.get(p) ?? [];
      const stored = snapshot.auditRows.get(p) ?? [];
      const difference = firstChainDifference(p, logged, stored, start);
      if (difference !== undefined) chain.push(difference);
    }

    const ids = [...new Set([...replay.touchedSessions(), ...snapshot.sessionsWritten])];
    const history = byPartition(await snapshot.history(ids, starts.sessionsOffsets));
    const folded = new Map<string, SessionState>();
    const atCheckpoint = new Map<string, SessionState>();
    for (let p = 0; p < partitions; p++) {
      const before = inputsOfHistory(history.get(p) ?? []);
      foldSessions(before, atCheckpoint);
      foldSessions([...before, ...(replay.inputs.get(p) ?? [])], folded);
    }
    const sessions = sessionDifferences(folded, await snapshot.sessionFacts(ids));
    const created = [...folded.keys()].filter((id) => !atCheckpoint.has(id)).length;
    if (snapshot.sessionsRows !== since.sessionsRows + created)
      differences.push({
        kind: 'row-count',
        detail: `sessions holds ${snapshot.sessionsRows} rows; the checkpoint counted ${since.sessionsRows} and ${created} were created since`,
      });
    const columns = await columnDifferencesOf(replay, snapshot.quarantine, options);
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
        verified: (p) =>
          verifiedPartition(
            p,
            snapshot.auditRows.get(p) ?? [],
            snapshot.quarantine.keys(),
            signedHead(p),
          ),
        sessionsRows: snapshot.sessionsRows,
      }),
    };
  } finally {
    await snapshot.close();
  }
}
