import { randomBytes } from 'node:crypto';

/**
 * A KRaft cluster id: 16 random bytes, base64url, as Kafka's own `random-uuid` makes them. One that
 * begins with `-` would be read by the storage tool as an option (1 id in 64), so those are drawn
 * again, as Kafka's Uuid.randomUuid does.
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
