import { Migration } from '@mikro-orm/migrations';

export class Migration20261129160843 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`agents\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`tenant_id\` text not null, \`email\` text not null, \`name\` text not null, \`role\` text check (\`role\` in ('admin', 'agent')) not null default 'agent', \`password_hash\` text not null, \`active\` integer not null default true, primary key (\`id\`));`);
    this.addSql(`create index \`agents_tenant_id_index\` on \`agents\` (\`tenant_id\`);`);
    this.addSql(`create unique index \`agents_tenant_id_email_unique\` on \`agents\` (\`tenant_id\`, \`email\`);`);

    this.addSql(`create table \`api_keys\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`tenant_id\` text not null, \`name\` text not null, \`prefix\` text not null, \`key_hash\` text not null, \`created_by_id\` text null, \`last_used_at\` datetime null, \`revoked_at\` datetime null, constraint \`api_keys_created_by_id_foreign\` foreign key(\`created_by_id\`) references \`agents\`(\`id\`) on delete set null on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`api_keys_tenant_id_index\` on \`api_keys\` (\`tenant_id\`);`);
    this.addSql(`create unique index \`api_keys_key_hash_unique\` on \`api_keys\` (\`key_hash\`);`);
    this.addSql(`create index \`api_keys_created_by_id_index\` on \`api_keys\` (\`created_by_id\`);`);

    this.addSql(`create table \`audit_logs\` (\`id\` text not null, \`tenant_id\` text not null, \`actor\` text not null, \`action\` text not null, \`target_type\` text not null, \`target_id\` text null, \`details\` json null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`audit_logs_tenant_id_created_at_index\` on \`audit_logs\` (\`tenant_id\`, \`created_at\`);`);

    this.addSql(`create table \`channel_accounts\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`tenant_id\` text not null, \`plugin_id\` text not null, \`name\` text not null, \`config\` json not null, \`external_id\` text null, \`active\` integer not null default true, primary key (\`id\`));`);
    this.addSql(`create index \`channel_accounts_tenant_id_index\` on \`channel_accounts\` (\`tenant_id\`);`);
    this.addSql(`create index \`channel_accounts_external_id_index\` on \`channel_accounts\` (\`external_id\`);`);

    this.addSql(`create table \`agent_inboxes\` (\`agent_id\` text not null, \`channel_account_id\` text not null, constraint \`agent_inboxes_agent_id_foreign\` foreign key(\`agent_id\`) references \`agents\`(\`id\`) on delete cascade on update cascade, constraint \`agent_inboxes_channel_account_id_foreign\` foreign key(\`channel_account_id\`) references \`channel_accounts\`(\`id\`) on delete cascade on update cascade, primary key (\`agent_id\`, \`channel_account_id\`));`);
    this.addSql(`create index \`agent_inboxes_agent_id_index\` on \`agent_inboxes\` (\`agent_id\`);`);
    this.addSql(`create index \`agent_inboxes_channel_account_id_index\` on \`agent_inboxes\` (\`channel_account_id\`);`);

    this.addSql(`create table \`contacts\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`tenant_id\` text not null, \`channel_account_id\` text not null, \`external_id\` text not null, \`phone\` text null, \`name\` text null, \`attributes\` json not null, \`tags\` json not null, \`opted_in_at\` datetime null, \`opted_out_at\` datetime null, constraint \`contacts_channel_account_id_foreign\` foreign key(\`channel_account_id\`) references \`channel_accounts\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`contacts_tenant_id_index\` on \`contacts\` (\`tenant_id\`);`);
    this.addSql(`create index \`contacts_channel_account_id_index\` on \`contacts\` (\`channel_account_id\`);`);
    this.addSql(`create index \`contacts_phone_index\` on \`contacts\` (\`phone\`);`);
    this.addSql(`create unique index \`contacts_channel_account_id_external_id_unique\` on \`contacts\` (\`channel_account_id\`, \`external_id\`);`);

    this.addSql(`create table \`conversations\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`tenant_id\` text not null, \`channel_account_id\` text not null, \`contact_id\` text not null, \`status\` text check (\`status\` in ('open', 'pending', 'resolved')) not null default 'open', \`assignee_id\` text null, \`last_inbound_at\` datetime null, \`window_expires_at\` datetime null, \`windowed\` integer not null default false, \`last_message_at\` datetime null, \`last_message_preview\` text null, \`unread_count\` integer not null default 0, constraint \`conversations_channel_account_id_foreign\` foreign key(\`channel_account_id\`) references \`channel_accounts\`(\`id\`) on delete cascade on update cascade, constraint \`conversations_contact_id_foreign\` foreign key(\`contact_id\`) references \`contacts\`(\`id\`) on delete cascade on update cascade, constraint \`conversations_assignee_id_foreign\` foreign key(\`assignee_id\`) references \`agents\`(\`id\`) on delete set null on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`conversations_channel_account_id_index\` on \`conversations\` (\`channel_account_id\`);`);
    this.addSql(`create index \`conversations_contact_id_index\` on \`conversations\` (\`contact_id\`);`);
    this.addSql(`create index \`conversations_assignee_id_index\` on \`conversations\` (\`assignee_id\`);`);
    this.addSql(`create index \`conversations_window_expires_at_index\` on \`conversations\` (\`window_expires_at\`);`);
    this.addSql(`create index \`conversations_tenant_id_last_message_at_index\` on \`conversations\` (\`tenant_id\`, \`last_message_at\`);`);
    this.addSql(`create unique index \`conversations_channel_account_id_contact_id_unique\` on \`conversations\` (\`channel_account_id\`, \`contact_id\`);`);

    this.addSql(`create table \`idempotency_records\` (\`key\` text not null, \`request_hash\` text not null, \`message_id\` text not null, \`created_at\` datetime not null, primary key (\`key\`));`);

    this.addSql(`create table \`inbound_webhooks\` (\`id\` text not null, \`channel_account_id\` text not null, \`events\` json not null, \`state\` text check (\`state\` in ('pending', 'applied', 'unmatched', 'set_aside')) not null default 'pending', \`received_at\` datetime not null, \`processed_at\` datetime null, \`attempts\` integer not null default 0, \`next_attempt_at\` datetime null, \`last_error\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`inbound_webhooks_state_received_at_index\` on \`inbound_webhooks\` (\`state\`, \`received_at\`);`);
    this.addSql(`create index \`inbound_webhooks_processed_at_id_index\` on \`inbound_webhooks\` (\`processed_at\`, \`id\`);`);

    this.addSql(`create table \`media_objects\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`tenant_id\` text not null, \`channel_account_id\` text not null, \`mime_type\` text not null, \`size_bytes\` bigint not null, \`sha256\` text not null, \`filename\` text null, \`storage_key\` text not null, \`provider_media_id\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`media_objects_tenant_id_index\` on \`media_objects\` (\`tenant_id\`);`);

    this.addSql(`create table \`messages\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`tenant_id\` text not null, \`channel_account_id\` text not null, \`conversation_id\` text not null, \`direction\` text check (\`direction\` in ('inbound', 'outbound')) not null, \`content\` json not null, \`status\` text check (\`status\` in ('received', 'queued', 'sent', 'delivered', 'read', 'failed')) not null, \`error\` json null, \`external_id\` text null, \`reply_to_external_id\` text null, \`provider_timestamp\` datetime null, \`sent_by_agent_id\` text null, \`sent_by_api_key_id\` text null, \`idempotency_key\` text null, \`send_attempts\` integer not null default 0, \`referral\` json null, \`send_started_at\` datetime null, constraint \`messages_channel_account_id_foreign\` foreign key(\`channel_account_id\`) references \`channel_accounts\`(\`id\`) on delete cascade on update cascade, constraint \`messages_conversation_id_foreign\` foreign key(\`conversation_id\`) references \`conversations\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`messages_channel_account_id_index\` on \`messages\` (\`channel_account_id\`);`);
    this.addSql(`create index \`messages_conversation_id_index\` on \`messages\` (\`conversation_id\`);`);
    this.addSql(`create unique index \`messages_idempotency_key_unique\` on \`messages\` (\`idempotency_key\`);`);
    this.addSql(`create index \`messages_status_updated_at_index\` on \`messages\` (\`status\`, \`updated_at\`);`);
    this.addSql(`create index \`messages_conversation_id_id_index\` on \`messages\` (\`conversation_id\`, \`id\`);`);
    this.addSql(`create unique index \`messages_channel_account_id_external_id_unique\` on \`messages\` (\`channel_account_id\`, \`external_id\`);`);

    this.addSql(`create table \`outbox_events\` (\`id\` text not null, \`subject\` text null, \`payload\` json not null, \`live\` json null, \`created_at\` datetime not null, \`published_at\` datetime null, \`attempts\` integer not null default 0, primary key (\`id\`));`);
    this.addSql(`create index \`outbox_events_published_at_id_index\` on \`outbox_events\` (\`published_at\`, \`id\`);`);

    this.addSql(`create table \`sessions\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`token_hash\` text not null, \`agent_id\` text not null, \`expires_at\` datetime not null, \`revoked_at\` datetime null, constraint \`sessions_agent_id_foreign\` foreign key(\`agent_id\`) references \`agents\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create unique index \`sessions_token_hash_unique\` on \`sessions\` (\`token_hash\`);`);
    this.addSql(`create index \`sessions_agent_id_index\` on \`sessions\` (\`agent_id\`);`);
    this.addSql(`create index \`sessions_expires_at_index\` on \`sessions\` (\`expires_at\`);`);

    this.addSql(`create table \`templates\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`tenant_id\` text not null, \`channel_account_id\` text not null, \`external_id\` text null, \`name\` text not null, \`language\` text not null, \`category\` text check (\`category\` in ('MARKETING', 'UTILITY', 'AUTHENTICATION')) not null, \`parameter_format\` text check (\`parameter_format\` in ('positional', 'named')) not null default 'positional', \`components\` json not null, \`status\` text not null, \`rejection_reason\` text null, \`quality\` text null, \`synced_at\` datetime null, constraint \`templates_channel_account_id_foreign\` foreign key(\`channel_account_id\`) references \`channel_accounts\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`templates_tenant_id_index\` on \`templates\` (\`tenant_id\`);`);
    this.addSql(`create index \`templates_channel_account_id_index\` on \`templates\` (\`channel_account_id\`);`);
    this.addSql(`create unique index \`templates_channel_account_id_name_language_unique\` on \`templates\` (\`channel_account_id\`, \`name\`, \`language\`);`);

    this.addSql(`create table \`tenants\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`slug\` text not null, \`name\` text not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`tenants_slug_unique\` on \`tenants\` (\`slug\`);`);
  }

}
