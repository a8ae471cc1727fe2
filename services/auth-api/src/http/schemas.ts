import {
  MAX_AUTHENTICATION_METHODS,
  MAX_DEVICES,
  aalSchema,
  authenticationMethodSchema,
  deviceSchema,
} from '@session-authority/events';
import { DURATION_PATTERN } from '@session-authority/sessions';
import { z } from 'zod';
import { errorGenericSchema } from './error-generic.js';

/** Validates the logout body's shape (a 400 when it fails); the token's format is checked after (a 403). */
export const logoutBodySchema = z
  .looseObject({
    session_token: z.string().nullish().meta({
      description: 'The session token to revoke: `ory_st_` and 32 alphanumerics.',
      example: 'ory_st_Yv0dmyJtRJwOlvEN1qXHPoHnB0iFDJbx',
    }),
  })
  .meta({ id: 'performNativeLogoutBody' });

export const sessionSchema = z
  .object({
    id: z.uuid(),
    active: z.boolean(),
    expires_at: z.iso.datetime(),
    authenticated_at: z.iso.datetime(),
    issued_at: z.iso.datetime(),
    authenticator_assurance_level: aalSchema,
    authentication_methods: z.array(
      authenticationMethodSchema.meta({ id: 'sessionAuthenticationMethod' }),
    ),
    devices: z.array(deviceSchema.meta({ id: 'sessionDevice' })),
    identity: z.object({ id: z.uuid() }),
  })
  .meta({ id: 'session' });

export const sessionIdParamsSchema = z.object({ id: z.uuid() });
export const identityIdParamsSchema = z.object({ identity_id: z.uuid() });

export const issueSessionBodySchema = z
  .looseObject({
    expires_in: z.string().regex(DURATION_PATTERN).optional().meta({
      description:
        'Lifespan as a Go duration such as `24h` or `1h30m`; the configured default when absent.',
    }),
    authenticator_assurance_level: aalSchema
      .optional()
      .meta({ description: 'How strongly the identity was authenticated; `aal1` when absent.' }),
    authentication_methods: z
      .array(authenticationMethodSchema)
      .max(MAX_AUTHENTICATION_METHODS)
      .optional()
      .meta({ description: 'The methods the login used, such as `password`; none when absent.' }),
    devices: z
      .array(deviceSchema.omit({ id: true }))
      .max(MAX_DEVICES)
      .optional()
      .meta({
        description:
          'The client that logged in: IP address, user agent, location. The authority gives each an id.',
      }),
  })
  .meta({ id: 'issueSessionBody' });

export const issuedSessionSchema = z
  .object({ session: sessionSchema, session_token: z.string() })
  .meta({ id: 'issuedSession' });

export const sessionListSchema = z.array(sessionSchema);

export const revokedCountSchema = z
  .object({ count: z.number().int().meta({ description: 'The number of sessions revoked.' }) })
  .meta({ id: 'deleteMySessionsCount' });

export const tokenHeadersSchema = z.looseObject({
  'x-session-token': z.string().optional().meta({ description: 'The session token.' }),
  authorization: z
    .string()
    .optional()
    .meta({ description: '`Bearer <session token>`, when X-Session-Token is absent.' }),
});

/** An OpenAPI response with a JSON body. */
export function json<S extends z.ZodType>(description: string, schema: S) {
  return { description, content: { 'application/json': { schema } } };
}

/** The consistency token of every 201/204 that appended events (docs/api.md). */
export const positionHeader = {
  headers: {
    'Session-Log-Position': {
      type: 'string',
      pattern: '^\\d+:\\d+(,\\d+:\\d+)*$',
      description:
        'The log positions of the events this answer appended, as `partition:offset[,partition:offset…]`; a downstream service that has applied them sees the change.',
    },
  },
};

/** A 204 that may have appended events: no body, the position header when it did. */
export const appended = (description: string) => ({ description, ...positionHeader });

/** errorGeneric answers, one description per status. */
export function errors(descriptions: Readonly<Record<number, string>>) {
  return Object.fromEntries(
    Object.entries(descriptions).map(([code, description]) => [
      code,
      json(description, errorGenericSchema),
    ]),
  );
}
