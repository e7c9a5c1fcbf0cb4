import { Migration } from '@mikro-orm/migrations';

export class Migration20261129190000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "broadcasts" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "tenant_id" varchar(36) not null, "channel_account_id" varchar(36) not null, "name" varchar(200) not null, "template_name" varchar(512) not null, "template_language" varchar(15) not null, "variables" jsonb not null, "audience_filter" jsonb null, "default_country" varchar(2) not null default 'ID', "messages_per_second" int not null default 80, "status" text check ("status" in ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled')) not null default 'draft', "reason" text null, "scheduled_at" timestamptz null, "scheduled_local" varchar(19) null, "time_zone" varchar(64) null, "started_at" timestamptz null, "finished_at" timestamptz null, "created_by_id" varchar(36) null, "total" int not null default 0, "pending" int not null default 0, "queued" int not null default 0, "sent" int not null default 0, "delivered" int not null default 0, "read" int not null default 0, "failed" int not null default 0, "skipped" int not null default 0, "suppressed" int not null default 0, "deferred" int not null default 0, constraint "broadcasts_pkey" primary key ("id"));`);
    this.addSql(`create index "broadcasts_tenant_id_index" on "broadcasts" ("tenant_id");`);
    this.addSql(`create index "broadcasts_status_scheduled_at_index" on "broadcasts" ("status", "scheduled_at");`);
    this.addSql(`create table "broadcast_recipients" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "broadcast_id" varchar(36) not null, "phone" varchar(20) not null, "country" varchar(2) null, "csv_row" int null, "columns" jsonb not null, "contact_id" varchar(36) null, "parameters" jsonb null, "status" text check ("status" in ('pending', 'queued', 'sent', 'delivered', 'read', 'failed', 'skipped', 'suppressed', 'deferred')) not null default 'pending', "reason" text null, "error_code" varchar(64) null, "message_id" varchar(36) null, "attempts" int not null default 0, "next_attempt_at" timestamptz null, constraint "broadcast_recipients_pkey" primary key ("id"));`);
    this.addSql(`create index "broadcast_recipients_message_id_index" on "broadcast_recipients" ("message_id");`);
    this.addSql(`create index "broadcast_recipients_status_next_attempt_at_index" on "broadcast_recipients" ("status", "next_attempt_at");`);
    this.addSql(`create index "broadcast_recipients_broadcast_id_status_id_index" on "broadcast_recipients" ("broadcast_id", "status", "id");`);
    this.addSql(`alter table "broadcast_recipients" add constraint "broadcast_recipients_broadcast_id_phone_unique" unique ("broadcast_id", "phone");`);
    this.addSql(`create table "broadcast_send_paces" ("channel_account_id" varchar(36) not null, "tokens" double precision not null default 0, "refilled_at_ms" double precision not null default 0, "factor" double precision not null default 1, "version" int not null default 0, constraint "broadcast_send_paces_pkey" primary key ("channel_account_id"));`);
    this.addSql(`alter table "broadcasts" add constraint "broadcasts_channel_account_id_foreign" foreign key ("channel_account_id") references "channel_accounts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "broadcast_recipients" add constraint "broadcast_recipients_broadcast_id_foreign" foreign key ("broadcast_id") references "broadcasts" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "broadcast_send_paces" cascade;`);
    this.addSql(`drop table if exists "broadcast_recipients" cascade;`);
    this.addSql(`drop table if exists "broadcasts" cascade;`);
  }

}
