import { Migration } from '@mikro-orm/migrations';

/** Which log each topic row is: the cluster's id and the topic's first record (see pinTopic). */
export class Migration20261203000000_log_identity extends Migration {
  override up(): void {
    this.addSql(`alter table "log_topics"
      add column "cluster_id" varchar(64) null,
      add column "topic_id" varchar(80) null;`);
  }

  override down(): void {
    this.addSql(`alter table "log_topics" drop column "cluster_id", drop column "topic_id";`);
  }
}
