import { Migration } from '@mikro-orm/migrations';

/**
 * Signed verification checkpoints (docs/audit.md): the signature is the verifier's, made with a
 * key the database does not hold, so a row here proves nothing to a reader without that key.
 */
export class Migration20261203000200_audit_checkpoints extends Migration {
  override up(): void {
    this.addSql(`create table "audit_checkpoints" (
      "id" bigserial primary key,
      "topic" varchar(249) not null,
      "recorded_at" timestamptz not null default now(),
      "body" text not null,
      "signature" text not null,
      "key_id" varchar(64) not null);`);
    this.addSql(
      `create index "audit_checkpoints_topic_idx" on "audit_checkpoints" ("topic", "id");`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "audit_checkpoints";`);
  }
}
