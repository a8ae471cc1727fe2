import { Migration20261124000000_initial } from './Migration20261124000000_initial.js';
import { Migration20261202000000_quarantine } from './Migration20261202000000_quarantine.js';
import { Migration20261202000100_log_topics } from './Migration20261202000100_log_topics.js';
import { Migration20261202000200_session_details } from './Migration20261202000200_session_details.js';
import { Migration20261202000300_audit } from './Migration20261202000300_audit.js';
import { Migration20261202000400_feed_sweeps } from './Migration20261202000400_feed_sweeps.js';
import { Migration20261203000000_log_identity } from './Migration20261203000000_log_identity.js';
import { Migration20261203000100_quarantine_projection } from './Migration20261203000100_quarantine_projection.js';
import { Migration20261203000200_audit_checkpoints } from './Migration20261203000200_audit_checkpoints.js';

/** Every migration, in order. Listed explicitly so the compiled package needs no file discovery. */
export const readModelMigrations = [
  { name: 'Migration20261124000000_initial', class: Migration20261124000000_initial },
  { name: 'Migration20261202000000_quarantine', class: Migration20261202000000_quarantine },
  { name: 'Migration20261202000100_log_topics', class: Migration20261202000100_log_topics },
  {
    name: 'Migration20261202000200_session_details',
    class: Migration20261202000200_session_details,
  },
  { name: 'Migration20261202000300_audit', class: Migration20261202000300_audit },
  { name: 'Migration20261202000400_feed_sweeps', class: Migration20261202000400_feed_sweeps },
  { name: 'Migration20261203000000_log_identity', class: Migration20261203000000_log_identity },
  {
    name: 'Migration20261203000100_quarantine_projection',
    class: Migration20261203000100_quarantine_projection,
  },
  {
    name: 'Migration20261203000200_audit_checkpoints',
    class: Migration20261203000200_audit_checkpoints,
  },
];
