import { Migration } from '@mikro-orm/migrations';

/**
 * quarantined_records becomes a projection of its own. It was written with whichever projection
 * moved first, so it already holds every record below the slowest projection's offsets: the new
 * projection starts there instead of replaying the log.
 */
export class Migration20261203000100_quarantine_projection extends Migration {
  override up(): void {
    this
      .addSql(`insert into "projection_offsets" (projection, topic, partition, next_offset, updated_at)
      select 'quarantine', topic, partition, min(next_offset), now() from "projection_offsets"
      group by topic, partition
      on conflict do nothing;`);
  }

  override down(): void {
    this.addSql(`delete from "projection_offsets" where projection = 'quarantine';`);
  }
}
