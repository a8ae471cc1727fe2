import { createHash } from 'node:crypto';
import pg from 'pg';

export interface Leadership {
  /** True while this process holds the lock: it applies at once; others only back it up. */
  isLeader(): boolean;
  close(): Promise<void>;
}

export interface LeadershipOptions {
  readonly url: string;
  /** Any number shared by the projectors of one read model and topic. */
  readonly lockKey: number;
  /** How often a follower tries to take the lock. */
  readonly retryMs: number;
  readonly onChange?: (leader: boolean) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * A PostgreSQL session advisory lock names one projector the leader. The lock lives as long as
 * the leader's connection, so a crashed leader releases it at once and a follower takes it at
 * its next try. Nothing depends on it for correctness: followers apply, too, what the leader
 * has not applied within their grace time.
 */
export function holdLeadership(options: LeadershipOptions): Leadership {
  let client: pg.Client | undefined;
  let leader = false;
  let closed = false;
  // A function, not the variable: the attempt reads it again after each await.
  const isClosed = () => closed;
  let timer: NodeJS.Timeout | undefined;

  const setLeader = (value: boolean) => {
    if (value === leader) return;
    leader = value;
    options.onChange?.(value);
  };

  const attempt = async () => {
    timer = undefined;
    if (isClosed()) return;
    try {
      if (client === undefined) {
        const next = new pg.Client({ connectionString: options.url, keepAlive: true });
        // The lock is the connection's: once it is gone, so is the leadership.
        const lost = (error?: Error) => {
          if (error !== undefined) options.onError?.(error);
          if (client !== next) return;
          client = undefined;
          setLeader(false);
        };
        next.on('error', lost);
        next.on('end', () => lost());
        await next.connect();
        if (isClosed()) {
          await next.end();
          return;
        }
        client = next;
      }
      if (!leader) {
        const { rows } = await client.query<{ locked: boolean }>(
          'select pg_try_advisory_lock($1) as locked',
          [options.lockKey],
        );
        setLeader(rows[0]?.locked === true);
      }
    } catch (error) {
      options.onError?.(error);
      await client?.end().catch(() => undefined);
      client = undefined;
      setLeader(false);
    }
    if (!isClosed()) timer = setTimeout(() => void attempt(), options.retryMs);
  };
  void attempt();

  return {
    isLeader: () => leader,
    async close() {
      closed = true;
      clearTimeout(timer);
      setLeader(false);
      await client?.end().catch(() => undefined);
    },
  };
}

/** The advisory lock key of the projectors of one schema and topic. */
export function leadershipKey(schema: string, topic: string): number {
  return createHash('sha256').update(`projector:${schema}:${topic}`).digest().readInt32BE(0);
}
