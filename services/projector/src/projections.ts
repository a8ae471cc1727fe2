import {
  auditProjection,
  quarantineProjection,
  sessionsProjection,
  type Projection,
} from '@session-authority/read-model';

/** The projections a projector keeps: sessions and quarantine always, audit when asked for. */
export function projectionsOf(names: readonly string[] = ['audit']): Projection[] {
  const always = [sessionsProjection, quarantineProjection];
  return names.includes('audit') ? [...always, auditProjection] : always;
}
