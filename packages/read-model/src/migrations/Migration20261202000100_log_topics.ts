import { Migration } from '@mikro-orm/migrations';

export class Migration20261202000100_log_topics extends Migration {
  override up(): void {
    this.addSql(`create table "log_topics" (
      "topic" varchar(249) not null,
      "partitions" int not null,
      "recorded_at" timestamptz(3) not null,
      constraint "log_topics_pkey" primary key ("topic"));`);
  }

  override down(): void {
    this.addSql(`drop table if exists "log_topics";`);
  }
}
