import { readProjectionOffsets } from '@session-authority/read-model';
import type { TestDatabase } from './stores.js';
import type { RunningService } from './service-process.js';
import { waitFor } from './wait-for.js';

/** The projection's next offset per partition, as stored in PostgreSQL. */
export async function storedOffsets(db: TestDatabase, topic: string): Promise<Map<number, bigint>> {
  const stored = await readProjectionOffsets(db.orm.em, 'public', 'sessions', topic);
  return new Map([...stored].map(([partition, next]) => [partition, BigInt(next)]));
}

/** Waits until the projection has applied every record before `next` on `partition`. */
export function waitForProjection(
  db: TestDatabase,
  topic: string,
  partition: number,
  next: bigint,
): Promise<true> {
  return waitFor(
    `the projection of partition ${partition} to reach offset ${next}`,
    async () => ((await storedOffsets(db, topic)).get(partition) ?? 0n) >= next || undefined,
    20_000,
  );
}

/** Sum of a Prometheus counter over the series whose labels contain `labels`. */
export async function metricValue(
  service: RunningService,
  name: string,
  labels = '',
): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

export async function sessionRow(db: TestDatabase, id: string) {
  const [row] = await db.orm.em
    .fork()
    .execute<{ revoked_at: Date | string | null; revoke_reason: string | null }[]>(
      'select revoked_at, revoke_reason from sessions where id = ?',
      [id],
    );
  return row;
}
