import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000000_initial extends Migration {
  override up(): void {
    this.addSql(`create table "sessions" (
      "id" uuid not null,
      "identity_id" uuid not null,
      "token_sha256" varchar(64) not null,
      "issued_at" timestamptz(3) not null,
      "authenticated_at" timestamptz(3) not null,
      "expires_at" timestamptz(3) not null,
      "revoked_at" timestamptz(3) null,
      "revoke_reason" varchar(32) null,
      "log_partition" int not null,
      "log_offset" bigint not null,
      constraint "sessions_pkey" primary key ("id"));`);
    this.addSql(`create index "sessions_identity_id_idx" on "sessions" ("identity_id");`);
    this.addSql(
      `alter table "sessions" add constraint "sessions_token_sha256_key" unique ("token_sha256");`,
    );
    this.addSql(`create table "projection_offsets" (
      "projection" varchar(64) not null,
      "topic" varchar(249) not null,
      "partition" int not null,
      "next_offset" bigint not null,
      "updated_at" timestamptz(3) not null,
      constraint "projection_offsets_pkey" primary key ("projection", "topic", "partition"));`);
  }

  override down(): void {
    this.addSql(`drop table if exists "projection_offsets";`);
    this.addSql(`drop table if exists "sessions";`);
  }
}
