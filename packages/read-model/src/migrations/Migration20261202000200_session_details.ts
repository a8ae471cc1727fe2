import { Migration } from '@mikro-orm/migrations';

/** Kratos's session fields, with its defaults for sessions issued before them (as the upcaster). */
export class Migration20261202000200_session_details extends Migration {
  override up(): void {
    this.addSql(`alter table "sessions"
      add column "authenticator_assurance_level" varchar(8) not null default 'aal1',
      add column "authentication_methods" jsonb not null default '[]',
      add column "devices" jsonb not null default '[]';`);
    // Keyset pages of one identity's sessions walk (identity_id, id); it also serves the lookup.
    this.addSql(`create index "sessions_identity_id_id_idx" on "sessions" ("identity_id", "id");`);
    this.addSql(`drop index "sessions_identity_id_idx";`);
  }

  override down(): void {
    this.addSql(`create index "sessions_identity_id_idx" on "sessions" ("identity_id");`);
    this.addSql(`drop index "sessions_identity_id_id_idx";`);
    this.addSql(`alter table "sessions"
      drop column "authenticator_assurance_level",
      drop column "authentication_methods",
      drop column "devices";`);
  }
}
