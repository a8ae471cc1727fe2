import { Migration } from '@mikro-orm/migrations';

export class Migration20261202000000_quarantine extends Migration {
  override up(): void {
    this.addSql(`create table "quarantined_records" (
      "topic" varchar(249) not null,
      "log_partition" int not null,
      "log_offset" bigint not null,
      "session_id" uuid not null,
      "type" varchar(255) null,
      "problem" text not null,
      "quarantined_at" timestamptz(3) not null,
      constraint "quarantined_records_pkey" primary key ("topic", "log_partition", "log_offset"));`);
    this.addSql(
      `create index "quarantined_records_session_id_idx" on "quarantined_records" ("session_id");`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "quarantined_records";`);
  }
}
