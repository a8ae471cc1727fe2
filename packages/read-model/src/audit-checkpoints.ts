import type { EntityManager } from '@mikro-orm/postgresql';
import type { SignedCheckpoint } from '@session-authority/audit';
import { qualified } from './sql.js';

export async function saveCheckpoint(
  em: EntityManager,
  schema: string,
  topic: string,
  checkpoint: SignedCheckpoint,
): Promise<void> {
  await em.fork().execute(
    `insert into ${qualified(schema, 'audit_checkpoints')} (topic, body, signature, key_id)
       values (?, ?, ?, ?)`,
    [topic, checkpoint.body, checkpoint.signature, checkpoint.keyId],
  );
}

/** The checkpoint recorded last for the topic; its signature is the reader's to check. */
export async function latestCheckpoint(
  em: EntityManager,
  schema: string,
  topic: string,
): Promise<SignedCheckpoint | undefined> {
  const [row] = await em.fork().execute<{ body: string; signature: string; key_id: string }[]>(
    `select body, signature, key_id from ${qualified(schema, 'audit_checkpoints')}
     where topic = ? order by id desc limit 1`,
    [topic],
  );
  return row === undefined
    ? undefined
    : { body: row.body, signature: row.signature, keyId: row.key_id };
}
