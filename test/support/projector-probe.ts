import type { LogPosition } from '@session-authority/events';
import {
  PostgresProjectionWatermark,
  readProjectionOffsets,
  SESSIONS_PROJECTION,
} from '@session-authority/read-model';
import type { TestDatabase } from './stores.js';
import { ADMIN_KEY, type RunningService } from './service-process.js';

/** The projection's next offset per partition, as stored in PostgreSQL. */
export function storedOffsets(db: TestDatabase, topic: string): Promise<Map<number, bigint>> {
  return readProjectionOffsets(db.orm.em, 'public', SESSIONS_PROJECTION, topic);
}

/** Waits, with the services' own wait primitive, until the projection has applied these records. */
export async function waitForProjection(
  db: TestDatabase,
  topic: string,
  positions: readonly LogPosition[],
  timeoutMs = 20_000,
): Promise<void> {
  const watermark = new PostgresProjectionWatermark({
    url: db.url,
    schema: 'public',
    projection: SESSIONS_PROJECTION,
    topic,
    pollMs: 200,
  });
  await watermark.start();
  try {
    if (!(await watermark.waitFor(positions, timeoutMs))) {
      const at = positions.map((p) => `${p.partition}:${p.offset}`).join(', ');
      throw new Error(`the projection did not apply ${at} within ${timeoutMs} ms`);
    }
  } finally {
    await watermark.close();
  }
}

/** Sum of a Prometheus counter over the series whose labels contain `labels`. */
export async function metricValue(
  service: RunningService,
  name: string,
  labels = '',
): Promise<number> {
  // An API replica serves /metrics on its admin port, behind the key; a projector on its own port.
  const response =
    service.kind === 'auth-api'
      ? await fetch(`http://127.0.0.1:${service.adminPort}/metrics`, {
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        })
      : await fetch(`http://127.0.0.1:${service.port}/metrics`);
  const text = await response.text();
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
