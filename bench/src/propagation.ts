import { request } from 'undici';
import { percentiles, type Latency } from './load-job.js';
import type { Probe } from './probe.js';
import type { SeededSession } from './seed.js';

export interface PropagationResult {
  readonly events: number;
  readonly missing: number;
  /** From the logout's 204 at the client to the moment a separate process saw the revocation. */
  readonly latencyMs: Latency;
}

const now = () => performance.timeOrigin + performance.now();

/** Logs out `sessions` at `rate` per second and times each until the probe process sees it. */
export async function measurePropagation(
  probe: Probe,
  origins: readonly string[],
  sessions: readonly SeededSession[],
  rate: number,
): Promise<PropagationResult> {
  const seen = probe.seen;
  try {
    await probe.ready;
    const answered = new Map<string, number>();
    const started = now();
    await Promise.all(
      sessions.map(async (session, i) => {
        const due = started + (i / rate) * 1000;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - now())));
        const response = await request(
          `${origins[i % origins.length] ?? ''}/auth/self-service/logout/api`,
          {
            method: 'DELETE',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ session_token: session.token }),
          },
        );
        await response.body.dump();
        if (response.statusCode === 204) answered.set(session.sessionId, now());
      }),
    );
    const deadline = Date.now() + 10_000;
    while ([...answered.keys()].some((id) => !seen.has(id)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const deltas = [...answered]
      .filter(([id]) => seen.has(id))
      .map(([id, at]) => (seen.get(id) ?? at) - at);
    return {
      events: deltas.length,
      missing: sessions.length - deltas.length,
      latencyMs: percentiles(deltas),
    };
  } finally {
    probe.stop();
  }
}
