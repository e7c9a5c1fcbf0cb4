import { Migration } from '@mikro-orm/migrations';

export class Migration20261129160843 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "agents" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "tenant_id" varchar(36) not null, "email" varchar(320) not null, "name" varchar(200) not null, "role" text check ("role" in ('admin', 'agent')) not null default 'agent', "password_hash" varchar(255) not null, "active" boolean not null default true, constraint "agents_pkey" primary key ("id"));`);
    this.addSql(`create index "agents_tenant_id_index" on "agents" ("tenant_id");`);
    this.addSql(`alter table "agents" add constraint "agents_tenant_id_email_unique" unique ("tenant_id", "email");`);

    this.addSql(`create table "api_keys" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "tenant_id" varchar(36) not null, "name" varchar(200) not null, "prefix" varchar(16) not null, "key_hash" varchar(64) not null, "created_by_id" varchar(36) null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "api_keys_pkey" primary key ("id"));`);
    this.addSql(`create index "api_keys_tenant_id_index" on "api_keys" ("tenant_id");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_key_hash_unique" unique ("key_hash");`);

    this.addSql(`create table "audit_logs" ("id" varchar(36) not null, "tenant_id" varchar(36) not null, "actor" varchar(64) not null, "action" varchar(64) not null, "target_type" varchar(64) not null, "target_id" varchar(36) null, "details" jsonb null, "created_at" timestamptz not null, constraint "audit_logs_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_logs_tenant_id_created_at_index" on "audit_logs" ("tenant_id", "created_at");`);

    this.addSql(`create table "channel_accounts" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "tenant_id" varchar(36) not null, "plugin_id" varchar(64) not null, "name" varchar(200) not null, "config" jsonb not null, "external_id" varchar(128) null, "active" boolean not null default true, constraint "channel_accounts_pkey" primary key ("id"));`);
    this.addSql(`create index "channel_accounts_tenant_id_index" on "channel_accounts" ("tenant_id");`);
    this.addSql(`create index "channel_accounts_external_id_index" on "channel_accounts" ("external_id");`);

    this.addSql(`create table "agent_inboxes" ("agent_id" varchar(36) not null, "channel_account_id" varchar(36) not null, constraint "agent_inboxes_pkey" primary key ("agent_id", "channel_account_id"));`);

    this.addSql(`create table "contacts" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "tenant_id" varchar(36) not null, "channel_account_id" varchar(36) not null, "external_id" varchar(128) not null, "phone" varchar(20) null, "name" varchar(200) null, "attributes" jsonb not null, "tags" jsonb not null, "opted_in_at" timestamptz null, "opted_out_at" timestamptz null, constraint "contacts_pkey" primary key ("id"));`);
    this.addSql(`create index "contacts_tenant_id_index" on "contacts" ("tenant_id");`);
    this.addSql(`create index "contacts_phone_index" on "contacts" ("phone");`);
    this.addSql(`alter table "contacts" add constraint "contacts_channel_account_id_external_id_unique" unique ("channel_account_id", "external_id");`);

    this.addSql(`create table "conversations" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "tenant_id" varchar(36) not null, "channel_account_id" varchar(36) not null, "contact_id" varchar(36) not null, "status" text check ("status" in ('open', 'pending', 'resolved')) not null default 'open', "assignee_id" varchar(36) null, "last_inbound_at" timestamptz null, "window_expires_at" timestamptz null, "windowed" boolean not null default false, "last_message_at" timestamptz null, "last_message_preview" varchar(255) null, "unread_count" int not null default 0, constraint "conversations_pkey" primary key ("id"));`);
    this.addSql(`create index "conversations_window_expires_at_index" on "conversations" ("window_expires_at");`);
    this.addSql(`create index "conversations_tenant_id_last_message_at_index" on "conversations" ("tenant_id", "last_message_at");`);
    this.addSql(`alter table "conversations" add constraint "conversations_channel_account_id_contact_id_unique" unique ("channel_account_id", "contact_id");`);

    this.addSql(`create table "idempotency_records" ("key" varchar(320) not null, "request_hash" varchar(64) not null, "message_id" varchar(36) not null, "created_at" timestamptz not null, constraint "idempotency_records_pkey" primary key ("key"));`);

    this.addSql(`create table "inbound_webhooks" ("id" varchar(36) not null, "channel_account_id" varchar(36) not null, "events" jsonb not null, "state" text check ("state" in ('pending', 'applied', 'unmatched', 'set_aside')) not null default 'pending', "received_at" timestamptz not null, "processed_at" timestamptz null, "attempts" int not null default 0, "next_attempt_at" timestamptz null, "last_error" text null, constraint "inbound_webhooks_pkey" primary key ("id"));`);
    this.addSql(`create index "inbound_webhooks_state_received_at_index" on "inbound_webhooks" ("state", "received_at");`);
    this.addSql(`create index "inbound_webhooks_processed_at_id_index" on "inbound_webhooks" ("processed_at", "id");`);

    this.addSql(`create table "media_objects" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "tenant_id" varchar(36) not null, "channel_account_id" varchar(36) not null, "mime_type" varchar(255) not null, "size_bytes" bigint not null, "sha256" varchar(64) not null, "filename" varchar(255) null, "storage_key" varchar(255) not null, "provider_media_id" varchar(255) null, constraint "media_objects_pkey" primary key ("id"));`);
    this.addSql(`create index "media_objects_tenant_id_index" on "media_objects" ("tenant_id");`);

    this.addSql(`create table "messages" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "tenant_id" varchar(36) not null, "channel_account_id" varchar(36) not null, "conversation_id" varchar(36) not null, "direction" text check ("direction" in ('inbound', 'outbound')) not null, "content" jsonb not null, "status" text check ("status" in ('received', 'queued', 'sent', 'delivered', 'read', 'failed')) not null, "error" jsonb null, "external_id" varchar(255) null, "reply_to_external_id" varchar(255) null, "provider_timestamp" timestamptz null, "sent_by_agent_id" varchar(36) null, "sent_by_api_key_id" varchar(36) null, "idempotency_key" varchar(255) null, "send_attempts" int not null default 0, "referral" jsonb null, "send_started_at" timestamptz null, constraint "messages_pkey" primary key ("id"));`);
    this.addSql(`alter table "messages" add constraint "messages_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "messages_status_updated_at_index" on "messages" ("status", "updated_at");`);
    this.addSql(`create index "messages_conversation_id_id_index" on "messages" ("conversation_id", "id");`);
    this.addSql(`alter table "messages" add constraint "messages_channel_account_id_external_id_unique" unique ("channel_account_id", "external_id");`);

    this.addSql(`create table "outbox_events" ("id" varchar(36) not null, "subject" varchar(255) null, "payload" jsonb not null, "live" jsonb null, "created_at" timestamptz not null, "published_at" timestamptz null, "attempts" int not null default 0, constraint "outbox_events_pkey" primary key ("id"));`);
    this.addSql(`create index "outbox_events_published_at_id_index" on "outbox_events" ("published_at", "id");`);

    this.addSql(`create table "sessions" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "token_hash" varchar(64) not null, "agent_id" varchar(36) not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, constraint "sessions_pkey" primary key ("id"));`);
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "sessions_expires_at_index" on "sessions" ("expires_at");`);

    this.addSql(`create table "templates" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "tenant_id" varchar(36) not null, "channel_account_id" varchar(36) not null, "external_id" varchar(128) null, "name" varchar(512) not null, "language" varchar(15) not null, "category" text check ("category" in ('MARKETING', 'UTILITY', 'AUTHENTICATION')) not null, "parameter_format" text check ("parameter_format" in ('positional', 'named')) not null default 'positional', "components" jsonb not null, "status" varchar(64) not null, "rejection_reason" text null, "quality" varchar(32) null, "synced_at" timestamptz null, constraint "templates_pkey" primary key ("id"));`);
    this.addSql(`create index "templates_tenant_id_index" on "templates" ("tenant_id");`);
    this.addSql(`alter table "templates" add constraint "templates_channel_account_id_name_language_unique" unique ("channel_account_id", "name", "language");`);

    this.addSql(`create table "tenants" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "slug" varchar(64) not null, "name" varchar(200) not null, constraint "tenants_pkey" primary key ("id"));`);
    this.addSql(`alter table "tenants" add constraint "tenants_slug_unique" unique ("slug");`);

    this.addSql(`alter table "api_keys" add constraint "api_keys_created_by_id_foreign" foreign key ("created_by_id") references "agents" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "agent_inboxes" add constraint "agent_inboxes_agent_id_foreign" foreign key ("agent_id") references "agents" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "agent_inboxes" add constraint "agent_inboxes_channel_account_id_foreign" foreign key ("channel_account_id") references "channel_accounts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "contacts" add constraint "contacts_channel_account_id_foreign" foreign key ("channel_account_id") references "channel_accounts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "conversations" add constraint "conversations_channel_account_id_foreign" foreign key ("channel_account_id") references "channel_accounts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "conversations" add constraint "conversations_contact_id_foreign" foreign key ("contact_id") references "contacts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "conversations" add constraint "conversations_assignee_id_foreign" foreign key ("assignee_id") references "agents" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "messages" add constraint "messages_channel_account_id_foreign" foreign key ("channel_account_id") references "channel_accounts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "messages" add constraint "messages_conversation_id_foreign" foreign key ("conversation_id") references "conversations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "sessions" add constraint "sessions_agent_id_foreign" foreign key ("agent_id") references "agents" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "templates" add constraint "templates_channel_account_id_foreign" foreign key ("channel_account_id") references "channel_accounts" ("id") on update cascade on delete cascade;`);
  }

}
