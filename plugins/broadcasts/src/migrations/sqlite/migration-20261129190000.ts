import { Migration } from '@mikro-orm/migrations';

export class Migration20261129190000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`broadcasts\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`tenant_id\` text not null, \`channel_account_id\` text not null, \`name\` text not null, \`template_name\` text not null, \`template_language\` text not null, \`variables\` json not null, \`audience_filter\` json null, \`default_country\` text not null default 'ID', \`messages_per_second\` integer not null default 80, \`status\` text check (\`status\` in ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled')) not null default 'draft', \`reason\` text null, \`scheduled_at\` datetime null, \`scheduled_local\` text null, \`time_zone\` text null, \`started_at\` datetime null, \`finished_at\` datetime null, \`created_by_id\` text null, \`total\` integer not null default 0, \`pending\` integer not null default 0, \`queued\` integer not null default 0, \`sent\` integer not null default 0, \`delivered\` integer not null default 0, \`read\` integer not null default 0, \`failed\` integer not null default 0, \`skipped\` integer not null default 0, \`suppressed\` integer not null default 0, \`deferred\` integer not null default 0, constraint \`broadcasts_channel_account_id_foreign\` foreign key(\`channel_account_id\`) references \`channel_accounts\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`broadcasts_tenant_id_index\` on \`broadcasts\` (\`tenant_id\`);`);
    this.addSql(`create index \`broadcasts_channel_account_id_index\` on \`broadcasts\` (\`channel_account_id\`);`);
    this.addSql(`create index \`broadcasts_status_scheduled_at_index\` on \`broadcasts\` (\`status\`, \`scheduled_at\`);`);
    this.addSql(`create table \`broadcast_recipients\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`broadcast_id\` text not null, \`phone\` text not null, \`country\` text null, \`csv_row\` integer null, \`columns\` json not null, \`contact_id\` text null, \`parameters\` json null, \`status\` text check (\`status\` in ('pending', 'queued', 'sent', 'delivered', 'read', 'failed', 'skipped', 'suppressed', 'deferred')) not null default 'pending', \`reason\` text null, \`error_code\` text null, \`message_id\` text null, \`attempts\` integer not null default 0, \`next_attempt_at\` datetime null, constraint \`broadcast_recipients_broadcast_id_foreign\` foreign key(\`broadcast_id\`) references \`broadcasts\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`broadcast_recipients_broadcast_id_index\` on \`broadcast_recipients\` (\`broadcast_id\`);`);
    this.addSql(`create index \`broadcast_recipients_message_id_index\` on \`broadcast_recipients\` (\`message_id\`);`);
    this.addSql(`create index \`broadcast_recipients_status_next_attempt_at_index\` on \`broadcast_recipients\` (\`status\`, \`next_attempt_at\`);`);
    this.addSql(`create index \`broadcast_recipients_broadcast_id_status_id_index\` on \`broadcast_recipients\` (\`broadcast_id\`, \`status\`, \`id\`);`);
    this.addSql(`create unique index \`broadcast_recipients_broadcast_id_phone_unique\` on \`broadcast_recipients\` (\`broadcast_id\`, \`phone\`);`);
    this.addSql(`create table \`broadcast_send_paces\` (\`channel_account_id\` text not null, \`tokens\` double not null default 0, \`refilled_at_ms\` double not null default 0, \`factor\` double not null default 1, \`version\` integer not null default 0, primary key (\`channel_account_id\`));`);
  }

}
