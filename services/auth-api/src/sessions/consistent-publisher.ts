import { randomUUID } from 'node:crypto';
import { rejectionOf, type EventEnvelope } from '@session-authority/events';
import type { EventAppender, LogPosition } from '@session-authority/event-log';
import type { ProjectionWatermark } from '@session-authority/read-model';
import type { ApiMetrics } from '../api-metrics.js';
import { REASONS, RejectedEventError, UnavailableError } from './service-errors.js';

/** An event to publish: its CloudEvents attributes but the id and source, which the publisher adds. */
export type NewEvent<Type extends string = string, Data = unknown> = Omit<
  EventEnvelope<Type, Data>,
  'id' | 'source'
>;

export interface ConsistentPublisherDeps {
  readonly appender: EventAppender;
  readonly watermark: ProjectionWatermark;
  readonly metrics: Pick<ApiMetrics, 'projectionWaitSeconds' | 'writesRefused'>;
  /** The CloudEvents source of this replica. */
  readonly source: string;
  /** The whole budget of a publish: the append and the wait for the projection together. */
  readonly consistencyWaitMs: number;
  /** Of that budget, the most the append may take (a leader moving, a broker down). */
  readonly appendTimeoutMs: number;
}

const TIMED_OUT = Symbol('timed out');

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Publishes events so that every replica agrees once it returns: each is checked with the
 * projector's own decoder, appended (acks=all), and then waited for until the projection has
 * applied it, all within one budget. Past the budget, or on a failure, UnavailableError (retry).
 */
export class ConsistentPublisher {
  constructor(private readonly deps: ConsistentPublisherDeps) {}

  envelopeOf<Type extends string, Data>(event: NewEvent<Type, Data>): EventEnvelope<Type, Data> {
    return { id: randomUUID(), source: this.deps.source, ...event };
  }

  async publish(envelopes: readonly EventEnvelope[]): Promise<LogPosition[]> {
    for (const envelope of envelopes) {
      const problem = rejectionOf(envelope);
      if (problem !== undefined) throw new RejectedEventError(problem);
    }
    const { appender, watermark, metrics, consistencyWaitMs } = this.deps;
    const deadline = Date.now() + consistencyWaitMs;
    let positions: LogPosition[] | typeof TIMED_OUT;
    try {
      const appendMs = Math.min(this.deps.appendTimeoutMs, consistencyWaitMs);
      positions = await withTimeout(appender.append(envelopes), appendMs);
    } catch (error) {
      throw new UnavailableError(REASONS.logDown, { cause: error });
    }
    if (positions === TIMED_OUT) {
      metrics.writesRefused.inc({ reason: 'log-slow' });
      throw new UnavailableError(REASONS.logDown);
    }
    const stopTimer = metrics.projectionWaitSeconds.startTimer();
    const reached = await watermark.waitFor(positions, Math.max(1, deadline - Date.now()));
    stopTimer({ outcome: reached ? 'visible' : 'timeout' });
    if (!reached) throw new UnavailableError(REASONS.notVisible);
    return positions;
  }
}
