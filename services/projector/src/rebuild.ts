import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { createKafkaSubscription, readLogEnd } from '@session-authority/event-log';
import {
  migrateReadModel,
  openReadModel,
  readProjectionOffsets,
} from '@session-authority/read-model';
import { createProjector, SESSIONS_PROJECTION } from './create-projector.js';
import { createProjectorMetrics } from './projector-metrics.js';

export interface RebuildOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly databaseUrl: string;
  /** Must not hold a projection yet: a rebuild always starts from an empty read model. */
  readonly schema: string;
  readonly logger: Logger;
  readonly poolMax?: number;
  readonly timeoutMs?: number;
}

export interface RebuildResult {
  readonly schema: string;
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
}

export class RebuildError extends Error {}

function caughtUp(end: ReadonlyMap<number, string>, next: ReadonlyMap<number, string>): boolean {
  return [...end].every(([partition, high]) => BigInt(next.get(partition) ?? '0') >= BigInt(high));
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
    const connection = { brokers: options.brokers, clientId: `rebuild-${schema}`, logger };
    const end = await readLogEnd(connection, topic);
    const records = [...end.values()].reduce((sum, high) => sum + Number(high), 0);
    const started = performance.now();
    const projector = createProjector({
      orm,
      schema,
      topic,
      logger,
      metrics: createProjectorMetrics(),
      subscription: createKafkaSubscription({
        ...connection,
        topic,
        groupId: `rebuild-${schema}-${randomBytes(4).toString('hex')}`,
      }),
    });
    await projector.start();
    try {
      const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
      for (;;) {
        const halted = projector.haltedPartitions();
        if (halted.length > 0) {
          throw new RebuildError(
            `poison records halted partitions ${halted.join(', ')}; see the log above`,
          );
        }
        const next = await readProjectionOffsets(orm.em, schema, SESSIONS_PROJECTION, topic);
        if (caughtUp(end, next)) break;
        if (Date.now() > deadline) throw new RebuildError('the rebuild did not finish in time');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await projector.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    return { schema, records, seconds, recordsPerSecond: Math.round(records / seconds) };
  } finally {
    await orm.close();
  }
}
