import { Migration } from '@mikro-orm/migrations';

/** The audit projection: one row per log record, hash-chained per partition (docs/audit.md). */
export class Migration20261202000300_audit extends Migration {
  override up(): void {
    this.addSql(`create table "audit_events" (
      "topic" varchar(249) not null,
      "log_partition" int not null,
      "log_offset" bigint not null,
      "at" timestamptz(3) not null,
      "event_id" varchar(255) null,
      "type" varchar(255) null,
      "session_id" uuid null,
      "identity_id" uuid null,
      "actor_type" varchar(32) null,
      "actor_id" varchar(255) null,
      "reason" varchar(64) null,
      "request_id" varchar(255) null,
      "source" varchar(1024) null,
      "data" jsonb null,
      "problem" text null,
      "record_sha256" char(64) not null,
      "chain_sha256" char(64) not null,
      constraint "audit_events_pkey" primary key ("topic", "log_partition", "log_offset"));`);
    // Each query filters by one of these and pages in (at, partition, offset) order.
    for (const column of ['session_id', 'identity_id', 'request_id', 'actor_id']) {
      this.addSql(`create index "audit_events_${column}_idx"
        on "audit_events" ("${column}", "at", "log_partition", "log_offset");`);
    }
    // The chain of one batch: each record's hash folded onto the previous head, in order.
    this.addSql(`create function "audit_chain"(previous text, records text[]) returns setof text
      language plpgsql immutable as $$
      declare
        head bytea := decode(coalesce(previous, repeat('0', 64)), 'hex');
        record text;
      begin
        foreach record in array records loop
          head := sha256(head || decode(record, 'hex'));
          return next encode(head, 'hex');
        end loop;
      end $$;`);
  }

  override down(): void {
    this.addSql(`drop function if exists "audit_chain"(text, text[]);`);
    this.addSql(`drop table if exists "audit_events";`);
  }
}
