import type { z } from 'zod';
import type { EventEnvelope } from './envelope.js';

export interface EventVersion {
  readonly type: string;
  readonly schema: z.ZodType;
}

/** Turns the data of one published version into the data of the next. */
export interface Upcaster {
  readonly from: string;
  readonly to: string;
  readonly upcast: (data: unknown) => unknown;
}

export type DecodeResult =
  | { readonly kind: 'event'; readonly envelope: EventEnvelope }
  | { readonly kind: 'unknown-type'; readonly type: string }
  | { readonly kind: 'invalid'; readonly type: string; readonly problem: string };

export interface EventRegistry {
  readonly versions: readonly EventVersion[];
  /** Validates the data against its own version, then upcasts it to the newest version. */
  decode(envelope: EventEnvelope): DecodeResult;
}

export function createEventRegistry(
  versions: readonly EventVersion[],
  upcasters: readonly Upcaster[] = [],
): EventRegistry {
  const byType = new Map(versions.map((version) => [version.type, version]));
  const upcasterFrom = new Map(upcasters.map((upcaster) => [upcaster.from, upcaster]));
  for (const upcaster of upcasters) {
    if (!byType.has(upcaster.from) || !byType.has(upcaster.to)) {
      throw new Error(`upcaster ${upcaster.from} -> ${upcaster.to} names an unregistered version`);
    }
  }

  function validate(type: string, data: unknown): z.ZodSafeParseResult<unknown> | undefined {
    return byType.get(type)?.schema.safeParse(data);
  }

  return {
    versions,
    decode(envelope) {
      let type = envelope.type;
      let parsed = validate(type, envelope.data);
      if (parsed === undefined) return { kind: 'unknown-type', type };
      for (;;) {
        if (!parsed.success) {
          const problem = parsed.error.issues
            .map((issue) => `${issue.path.join('.') || '(data)'}: ${issue.message}`)
            .join('; ');
          return { kind: 'invalid', type, problem };
        }
        const upcaster = upcasterFrom.get(type);
        if (upcaster === undefined) break;
        type = upcaster.to;
        parsed = validate(type, upcaster.upcast(parsed.data));
        if (parsed === undefined) return { kind: 'unknown-type', type };
      }
      return { kind: 'event', envelope: { ...envelope, type, data: parsed.data } };
    },
  };
}
