import { Migration } from '@mikro-orm/migrations';

export class Migration20261129190000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "webhook_deliveries" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "tenant_id" varchar(36) not null, "endpoint_id" varchar(36) not null, "event_id" varchar(36) not null, "event_type" varchar(100) not null, "payload" jsonb not null, "status" text check ("status" in ('pending', 'succeeded', 'failed')) not null default 'pending', "attempts" int not null default 0, "next_attempt_at" timestamptz null, "last_attempt_at" timestamptz null, "last_response_status" int null, "last_response_body" text null, "last_error" text null, constraint "webhook_deliveries_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_deliveries_endpoint_id_id_index" on "webhook_deliveries" ("endpoint_id", "id");`);
    this.addSql(`create index "webhook_deliveries_status_next_attempt_at_index" on "webhook_deliveries" ("status", "next_attempt_at");`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_endpoint_id_event_id_unique" unique ("endpoint_id", "event_id");`);

    this.addSql(`create table "webhook_endpoints" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "tenant_id" varchar(36) not null, "url" varchar(2048) not null, "description" varchar(500) null, "events" jsonb not null, "secret" jsonb not null, "enabled" boolean not null default true, constraint "webhook_endpoints_pkey" primary key ("id"));`);
    this.addSql(`create index "webhook_endpoints_tenant_id_enabled_index" on "webhook_endpoints" ("tenant_id", "enabled");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "webhook_deliveries" cascade;`);

    this.addSql(`drop table if exists "webhook_endpoints" cascade;`);
  }

}
