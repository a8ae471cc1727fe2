import type { FastifyInstance, FastifyRequest } from 'fastify';
import { REASONS, UnavailableError } from '../sessions/service-errors.js';

export interface AdmissionLimits {
  /** Writes in flight beyond which the next one is refused. */
  readonly maxPending: number;
  /** Once the oldest write in flight has waited this long, new ones are refused until it is done. */
  readonly maxWaitMs: number;
}

/**
 * Load shedding for one replica's writes (every request but GET, HEAD and OPTIONS, on both
 * ports). Past either limit the replica is taking writes faster than the log and the projection
 * confirm them; a refused write answers 503 before its body is read, instead of joining a queue
 * whose every answer would come late. The age of the oldest write sees that sooner than any count
 * under an open-loop overload, and it counts from the request's arrival: time spent waiting for
 * the event loop or a database connection is queueing too.
 */
export class WriteAdmission {
  /** Start times by ticket, in the order the writes entered: the first is the oldest. */
  readonly #started = new Map<number, number>();
  #nextTicket = 0;

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** A ticket to give back with leave(), or undefined when the write is refused. */
  enter(): number | undefined {
    if (this.#started.size >= this.limits.maxPending) return undefined;
    const oldest = this.#started.values().next().value;
    if (oldest !== undefined && this.clock() - oldest > this.limits.maxWaitMs) return undefined;
    const ticket = this.#nextTicket++;
    this.#started.set(ticket, this.clock());
    return ticket;
  }

  leave(ticket: number): void {
    this.#started.delete(ticket);
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const shed = new WeakSet<FastifyRequest>();

/**
 * A write this replica refused at the door. The access log leaves these out: under an overload
 * they come by the thousand a second (they are counted, and summarised by shedWrites' caller).
 */
export const wasShed = (request: FastifyRequest): boolean => shed.has(request);

/** Sheds writes on `app` through `admission` (shared by a replica's ports); `onRefused` counts them. */
export function shedWrites(
  app: FastifyInstance,
  admission: WriteAdmission,
  onRefused: () => void,
): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (READS.has(request.method)) {
      done();
      return;
    }
    const ticket = admission.enter();
    if (ticket === undefined) {
      shed.add(request);
      onRefused();
      done(new UnavailableError(REASONS.overloaded));
      return;
    }
    // 'close' comes once the answer is sent or the connection is gone, whichever way the request
    // ended: a ticket left behind would age until every write is refused.
    reply.raw.once('close', () => {
      admission.leave(ticket);
    });
    done();
  });
}
