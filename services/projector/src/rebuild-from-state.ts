import { readLogEnd, readTopicIdentity, type KafkaConnection } from '@session-authority/event-log';
import {
  loadStateRows,
  migrateReadModel,
  openReadModel,
  pinTopic,
  quarantineProjection,
  readProjectionOffsets,
  sessionsProjection,
  STATE_CHECKPOINT_KEY,
  storeProjectionOffsets,
  SESSIONS_PROJECTION,
  type ReadModelOrm,
  type StateCheckpoint,
} from '@session-authority/read-model';
import { TOPIC_IDENTITY_KEY } from '@session-authority/events';
import { readLog } from './read-log.js';
import { projectToEnd, RebuildError, type RebuildOptions } from './rebuild.js';
import { rebuildAuditProjection } from './audit-load/rebuild-audit.js';

export interface FromStateOptions extends Omit<RebuildOptions, 'feed'> {
  readonly stateTopic: string;
  /** With `audit`, the audit projection is then made from the whole log (it is history). */
  readonly projections: readonly string[];
}

export interface FromStateResult {
  readonly schema: string;
  /** Rows read from the state topic (a session read twice counts twice). */
  readonly stateRecords: number;
  /** Log records applied after the state's checkpoints, and all the log holds. */
  readonly tailRecords: number;
  readonly logRecords: number;
  /** The sessions projection, from the state and the log after it. */
  readonly seconds: number;
  /** The audit projection from the whole log, when it is one of the projections. */
  readonly auditSeconds: number | null;
}

/**
 * Makes the sessions projection in a fresh schema from the session-state topic — the rows as the
 * projector last wrote them and, per partition, the checkpoint they stand at — then applies only
 * the log after those checkpoints. Time grows with the live sessions, not with the log's history.
 */
export async function rebuildFromState(options: FromStateOptions): Promise<FromStateResult> {
  const { schema, topic, stateTopic } = options;
  const orm = await openReadModel({ url: options.databaseUrl, schema, poolMax: 8 });
  try {
    await migrateReadModel(orm);
    const existing = await readProjectionOffsets(orm.em, schema, SESSIONS_PROJECTION, topic);
    if (existing.size > 0)
      throw new RebuildError(`schema "${schema}" already holds a projection of ${topic}`);
    const connection = {
      brokers: options.brokers,
      clientId: `rebuild-${schema}`,
      logger: options.logger,
      ...(options.security === undefined ? {} : { security: options.security }),
    };
    const log = await readTopicIdentity(connection, topic);
    const state = await readTopicIdentity(connection, stateTopic);
    if (state.partitions !== log.partitions)
      throw new RebuildError(
        `${stateTopic} has ${state.partitions} partitions and ${topic} ${log.partitions}: not its state`,
      );
    await pinTopic(orm.em, schema, log);
    const started = performance.now();
    const { checkpoints, records } = await loadState(orm, schema, connection, stateTopic);
    const offsets = new Map(
      Array.from({ length: log.partitions }, (_, p) => [p, checkpoints.get(p) ?? 0n] as const),
    );
    const pool = await orm.em.getConnection().getNativeClient();
    await storeProjectionOffsets(pool, { schema, topic }, ['sessions', 'quarantine'], offsets);
    // The projector of this schema goes on writing the same state, without filling it first.
    await pinTopic(orm.em, schema, state);
    const tail = { ...options, orm, connection };
    const logRecords = await projectToEnd({
      ...tail,
      projections: [sessionsProjection, quarantineProjection],
    });
    const seconds = (performance.now() - started) / 1000;
    let auditSeconds: number | null = null;
    if (options.projections.includes('audit')) {
      const auditStarted = performance.now();
      await rebuildAuditProjection({
        orm,
        schema,
        topic,
        connection,
        logLevel: options.logger.level,
      });
      auditSeconds = (performance.now() - auditStarted) / 1000;
    }
    const applied = [...offsets.values()].reduce((sum, next) => sum + next, 0n);
    return {
      schema,
      stateRecords: records,
      tailRecords: logRecords - Number(applied),
      logRecords,
      seconds,
      auditSeconds,
    };
  } finally {
    await orm.close();
  }
}

/** Reads each state partition to the end it has now into the schema; its last checkpoints. */
async function loadState(
  orm: ReadModelOrm,
  schema: string,
  kafka: KafkaConnection,
  stateTopic: string,
): Promise<{ checkpoints: Map<number, bigint>; records: number }> {
  const checkpoints = new Map<number, bigint>();
  let records = 0;
  await readLog(
    { kafka, topic: stateTopic },
    () => 0n,
    await readLogEnd(kafka, stateTopic),
    async (partition, batch) => {
      const rows: { key: string; value: string }[] = [];
      for (const { record } of batch) {
        const key = record.key?.toString('utf8');
        // Nothing writes tombstones to the state today; the topic's identity record is skipped.
        if (key === undefined || record.value === null || key === TOPIC_IDENTITY_KEY) continue;
        const value = record.value.toString('utf8');
        if (key === STATE_CHECKPOINT_KEY) {
          const checkpoint = JSON.parse(value) as StateCheckpoint;
          checkpoints.set(partition, BigInt(checkpoint.next));
        } else rows.push({ key, value });
      }
      records += rows.length;
      await loadStateRows(orm.em, schema, rows);
    },
  );
  return { checkpoints, records };
}
