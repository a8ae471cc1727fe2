import { Migration20261124000000_initial } from './Migration20261124000000_initial.js';

/** Every migration, in order. Listed explicitly so the compiled package needs no file discovery. */
export const readModelMigrations = [
  { name: 'Migration20261124000000_initial', class: Migration20261124000000_initial },
];
