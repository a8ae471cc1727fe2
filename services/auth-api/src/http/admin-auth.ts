import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './error-generic.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Every admin route needs `Authorization: Bearer <ADMIN_API_KEY>`; digests make the compare constant-time. */
export function requireAdminKey(app: FastifyInstance, adminApiKey: string): void {
  const expected = digest(adminApiKey);
  app.addHook('onRequest', (request, _reply, done) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const given = match?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      done(
        new HttpError(401, 'A valid admin API key is required.', { 'www-authenticate': 'Bearer' }),
      );
      return;
    }
    done();
  });
}
