import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  createFeedWriter,
  createKafkaSubscription,
  ensureCompactedTopic,
  type KafkaConnection,
  readLogEnd,
  readTopicIdentity,
  type KafkaSecurity,
  type TopicIdentity,
} from '@session-authority/event-log';
import {
  lastPositions,
  migrateReadModel,
  openReadModel,
  pinTopic,
  PostgresProjectionWatermark,
  readProjectionOffsets,
  SESSIONS_PROJECTION,
  AUDIT_PROJECTION,
  type Projection,
  type ReadModelOrm,
} from '@session-authority/read-model';
import { createProjector } from './create-projector.js';
import { rebuildAuditProjection } from './audit-load/rebuild-audit.js';
import { RebuildError } from './rebuild-error.js';
import { projectionsOf } from './projections.js';
import { createProjectorMetrics } from './projector-metrics.js';

export interface RebuildOptions {
  readonly brokers: readonly string[];
  readonly security?: KafkaSecurity;
  readonly topic: string;
  readonly databaseUrl: string;
  /** Must not hold a projection yet: a rebuild always starts from an empty read model. */
  readonly schema: string;
  readonly logger: Logger;
  readonly poolMax?: number;
  readonly timeoutMs?: number;
  /** Writes the revocation feed again as it replays (idempotent: a compacted topic). */
  readonly feed?: { readonly topic: string; readonly replicationFactor: number };
  /** The projections to make (PROJECTIONS); all of them unless told. */
  readonly projections?: readonly string[];
}

export interface RebuildResult {
  readonly schema: string;
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  /** Of `seconds`, the audit projection's load; null when it is not one of the projections. */
  readonly auditSeconds: number | null;
}

export { RebuildError };

async function openFeed(
  connection: KafkaConnection,
  feed: { readonly topic: string; readonly replicationFactor: number },
  partitions: number,
  pin: (observed: TopicIdentity) => Promise<void>,
) {
  await ensureCompactedTopic(connection, { ...feed, partitions });
  await pin(await readTopicIdentity(connection, feed.topic));
  return createFeedWriter({ ...connection, topic: feed.topic });
}

/**
 * Replays the whole log, from offset 0 to the end it has when the rebuild starts, into a fresh
 * schema with the projector's own code. Operators then point the services at that schema
 * (DATABASE_SCHEMA); the live projection is never touched.
 */
export async function rebuildReadModel(options: RebuildOptions): Promise<RebuildResult> {
  const { schema, topic, logger } = options;
  const orm = await openReadModel({
    url: options.databaseUrl,
    schema,
    poolMax: options.poolMax ?? 8,
  });
  try {
    await migrateReadModel(orm);
    const existing = await readProjectionOffsets(orm.em, schema, SESSIONS_PROJECTION, topic);
    if (existing.size > 0) {
      throw new RebuildError(
        `schema "${schema}" already holds a projection of ${topic}; rebuild into a new schema`,
      );
    }
    const connection = {
      brokers: options.brokers,
      clientId: `rebuild-${schema}`,
      logger,
      ...(options.security === undefined ? {} : { security: options.security }),
    };
    // The new schema follows this log from now on: pinned before the first record is applied.
    await pinTopic(orm.em, schema, await readTopicIdentity(connection, topic));
    const started = performance.now();
    const projections = projectionsOf(options.projections);
    const applied = projections.filter((p) => p.name !== AUDIT_PROJECTION);
    let records = 0;
    if (applied.length > 0)
      records = await projectToEnd({ ...options, orm, connection, projections: applied });
    let auditSeconds: number | null = null;
    if (applied.length < projections.length) {
      const auditStarted = performance.now();
      const rows = await rebuildAuditProjection({
        orm,
        schema,
        topic,
        connection,
        logLevel: options.logger.level,
      });
      if (applied.length === 0) records = rows;
      auditSeconds = (performance.now() - auditStarted) / 1000;
    }
    const seconds = (performance.now() - started) / 1000;
    const recordsPerSecond = Math.round(records / seconds);
    return { schema, records, seconds, recordsPerSecond, auditSeconds };
  } finally {
    await orm.close();
  }
}

export interface ProjectToEndOptions extends Omit<RebuildOptions, 'projections'> {
  readonly orm: ReadModelOrm;
  readonly connection: KafkaConnection;
  /** Every projection a projector keeps unless told; the first one named is waited on. */
  readonly projections?: readonly Projection[];
}

/**
 * Applies the log, from where the schema's projections stand to the end the log has now, with
 * the projector's own code, then stops. Returns how many records the log holds to that end.
 */
export async function projectToEnd(options: ProjectToEndOptions): Promise<number> {
  const { orm, schema, topic, logger, connection } = options;
  const end = await readLogEnd(connection, topic);
  const records = Number([...end.values()].reduce((sum, high) => sum + high, 0n));
  const projections = options.projections ?? projectionsOf();
  const watermark = new PostgresProjectionWatermark({
    url: options.databaseUrl,
    schema,
    projection: projections[0]?.name ?? SESSIONS_PROJECTION,
    topic,
    pollMs: 500,
    onError: (err) => logger.warn({ err }, 'rebuild progress listener problem'),
  });
  await watermark.start();
  const feed =
    options.feed === undefined
      ? undefined
      : await openFeed(connection, options.feed, end.size, (observed) =>
          pinTopic(orm.em, schema, observed),
        );
  const outOfRange = Promise.withResolvers<never>();
  const projector = createProjector({
    onOutOfRange: (error) => outOfRange.reject(new RebuildError(error.message)),
    ...(feed === undefined ? {} : { feed }),
    orm,
    schema,
    topic,
    logger,
    projections,
    metrics: createProjectorMetrics(),
    subscription: createKafkaSubscription({
      ...connection,
      topic,
      groupId: `rebuild-${schema}-${randomBytes(4).toString('hex')}`,
    }),
  });
  await projector.start();
  try {
    const caughtUp = watermark.waitFor(lastPositions(end), options.timeoutMs ?? 3_600_000);
    const halted = haltedWhile(caughtUp, () => projector.haltedPartitions());
    if (!(await Promise.race([caughtUp, halted, outOfRange.promise]))) {
      throw new RebuildError('the rebuild did not finish in time');
    }
  } finally {
    await projector.stop();
    await feed?.close();
    await watermark.close();
  }
  return records;
}

/** Rejects as soon as a poison record halts a partition; checks once a second until `done`. */
function haltedWhile(done: Promise<boolean>, halted: () => number[]): Promise<never> {
  return new Promise((_resolve, reject) => {
    const timer = setInterval(() => {
      const partitions = halted();
      if (partitions.length === 0) return;
      clearInterval(timer);
      reject(
        new RebuildError(
          `poison records halted partitions ${partitions.join(', ')}; see the log above`,
        ),
      );
    }, 1000);
    void done.finally(() => clearInterval(timer));
  });
}
