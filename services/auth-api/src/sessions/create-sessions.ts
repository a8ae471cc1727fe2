import type { EventAppender } from '@session-authority/event-log';
import type { ProjectionWatermark, SessionReader } from '@session-authority/read-model';
import type { ApiMetrics } from '../api-metrics.js';
import { ConsistentPublisher } from './consistent-publisher.js';
import { SessionCommands } from './session-commands.js';
import { SessionQueries } from './session-queries.js';

export interface SessionsDeps {
  readonly reader: SessionReader;
  readonly appender: EventAppender;
  readonly watermark: ProjectionWatermark;
  readonly metrics: Pick<ApiMetrics, 'revocations' | 'projectionWaitSeconds' | 'writesRefused'>;
  /** The CloudEvents source of this replica. */
  readonly source: string;
  readonly consistencyWaitMs: number;
  readonly appendTimeoutMs: number;
  readonly now?: () => Date;
}

/** The read side and the write side of a replica, over one reader, appender and watermark. */
export function createSessions(deps: SessionsDeps) {
  const queries = new SessionQueries(deps.reader);
  const publisher = new ConsistentPublisher(deps);
  const commands = new SessionCommands({
    queries,
    publisher,
    metrics: deps.metrics,
    ...(deps.now === undefined ? {} : { now: deps.now }),
  });
  return { queries, commands };
}
