import Fastify from 'fastify';
import pg from 'pg';
import { isWellFormedToken, tokenDigest } from '@session-authority/sessions';

/**
 * The baseline: the same logout semantics done the way Kratos does them, one synchronous
 * `UPDATE … RETURNING` by token digest, no log, no projection. Run by the benchmark only.
 */
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_MAX ?? 10),
});
const app = Fastify({ logger: false });
const REVOKE = {
  name: 'crud-revoke',
  text: `update crud_sessions set revoked_at = coalesce(revoked_at, now())
         where token_sha256 = $1 returning id`,
};

app.delete('/auth/self-service/logout/api', async (request, reply) => {
  const body = request.body as { session_token?: unknown } | null;
  const token = body?.session_token;
  if (typeof token !== 'string' || !isWellFormedToken(token)) return reply.code(403).send();
  const result = await pool.query({ ...REVOKE, values: [tokenDigest(token)] });
  return reply.code(result.rowCount === 0 ? 403 : 204).send();
});

app.get('/health/ready', () => ({ status: 'ok' }));

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.on('SIGTERM', () => {
  void app.close().then(() => pool.end());
});
