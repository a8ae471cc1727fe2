import type { Projection } from './projection.js';

export const QUARANTINE_PROJECTION = 'quarantine';

/**
 * The `quarantine` projection: one row in quarantined_records for each record keyed by a session
 * that failed its schema (its session is revoked by the sessions projection), for operators to
 * read with `npm run quarantine`. Rows are only ever inserted.
 */
export const quarantineProjection: Projection = {
  name: QUARANTINE_PROJECTION,
  handles: new Set(),
  statements: (batches, sql) => {
    const rows = batches.flatMap(({ partition, quarantined }) =>
      quarantined.map((q) => ({
        log_partition: partition,
        log_offset: q.offset.toString(),
        session_id: q.sessionId,
        type: q.type ?? null,
        problem: q.problem,
        quarantined_at: q.at.toISOString(),
      })),
    );
    if (rows.length === 0) return [];
    return [
      `insert into ${sql.table('quarantined_records')} (topic, log_partition, log_offset, session_id,
         type, problem, quarantined_at)
       select ${sql.literal(sql.topic)}, log_partition, log_offset, session_id, type, problem,
         quarantined_at
       from jsonb_to_recordset(${sql.literal(JSON.stringify(rows))}::jsonb) as x(log_partition int,
         log_offset bigint, session_id uuid, type text, problem text, quarantined_at timestamptz)
       on conflict do nothing`,
    ];
  },
};
