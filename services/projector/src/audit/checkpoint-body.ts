import {
  CHAIN_START,
  type CheckpointBody,
  type PartitionCheckpoint,
} from '@session-authority/audit';
import type { ProjectionEnds } from '@session-authority/read-model';

/** Where one partition's audit chain stood after a verification, and how many rows it counted. */
export interface VerifiedPartition {
  readonly chain: string;
  readonly auditRows: number;
  readonly quarantineRows: number;
}

/**
 * A partition's state after a verification: its audit rows read (from the checkpoint it started
 * at, if any, whose counts and head it adds to) and its quarantined records.
 */
export function verifiedPartition(
  partition: number,
  read: { readonly rows: number; readonly chain: string | undefined },
  quarantineKeys: Iterable<string>,
  from?: VerifiedPartition,
): VerifiedPartition {
  const quarantined = [...quarantineKeys].filter((key) => key.startsWith(`${partition}:`));
  return {
    chain: read.chain ?? from?.chain ?? CHAIN_START,
    auditRows: (from?.auditRows ?? 0) + read.rows,
    quarantineRows: (from?.quarantineRows ?? 0) + quarantined.length,
  };
}

export interface VerifiedState {
  readonly topic: string;
  readonly log: { readonly clusterId: string; readonly topicId: string | undefined };
  readonly pgSnapshot: string;
  readonly ends: ProjectionEnds;
  readonly partitions: number;
  readonly verified: (partition: number) => VerifiedPartition;
  readonly sessionsRows: number;
}

/**
 * The checkpoint a verification without differences may sign, or why it may not: the next
 * verification folds the sessions of the records before it from audit_events, so the audit
 * projection must have reached the sessions projection everywhere.
 */
export function checkpointBody(
  state: VerifiedState,
  now = new Date(),
): { body: CheckpointBody } | { problem: string } {
  const { ends, log } = state;
  if (log.topicId === undefined) return { problem: 'the log has no identity record yet' };
  const partitions: PartitionCheckpoint[] = [];
  for (let partition = 0; partition < state.partitions; partition++) {
    const audit = ends.auditOffsets.get(partition) ?? 0n;
    const sessions = ends.sessionsOffsets.get(partition) ?? 0n;
    if (audit < sessions)
      return {
        problem: `the audit projection (${audit}) is behind the sessions projection (${sessions}) on partition ${partition}`,
      };
    const verified = state.verified(partition);
    partitions.push({
      partition,
      auditOffset: audit.toString(),
      chain: verified.chain,
      auditRows: verified.auditRows,
      sessionsOffset: sessions.toString(),
      quarantineOffset: (ends.quarantineOffsets.get(partition) ?? 0n).toString(),
      quarantineRows: verified.quarantineRows,
    });
  }
  return {
    body: {
      version: 1,
      topic: state.topic,
      log: { clusterId: log.clusterId, topicId: log.topicId },
      verifiedAt: now.toISOString(),
      snapshot: state.pgSnapshot,
      sessionsRows: state.sessionsRows,
      partitions,
    },
  };
}
