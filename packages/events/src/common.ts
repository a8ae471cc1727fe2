import { z } from 'zod';

export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256 digest');

export const timestamp = z.iso.datetime({ offset: true });

export const actorSchema = z.object({
  type: z.enum(['identity', 'admin', 'system']),
  id: z.string().min(1),
});
export type Actor = z.infer<typeof actorSchema>;
