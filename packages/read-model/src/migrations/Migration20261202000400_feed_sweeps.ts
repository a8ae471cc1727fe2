import { Migration } from '@mikro-orm/migrations';

/** How far the revocation feed's expiry sweep has gone, per log topic. */
export class Migration20261202000400_feed_sweeps extends Migration {
  override up(): void {
    this.addSql(`create table "feed_sweeps" (
      "topic" varchar(249) not null,
      "swept_until" timestamptz(3) not null,
      constraint "feed_sweeps_pkey" primary key ("topic"));`);
  }

  override down(): void {
    this.addSql(`drop table if exists "feed_sweeps";`);
  }
}
