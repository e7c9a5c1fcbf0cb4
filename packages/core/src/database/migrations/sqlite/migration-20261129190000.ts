import { Migration } from '@mikro-orm/migrations';

export class Migration20261129190000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`webhook_deliveries\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`tenant_id\` text not null, \`endpoint_id\` text not null, \`event_id\` text not null, \`event_type\` text not null, \`payload\` json not null, \`status\` text check (\`status\` in ('pending', 'succeeded', 'failed')) not null default 'pending', \`attempts\` integer not null default 0, \`next_attempt_at\` datetime null, \`last_attempt_at\` datetime null, \`last_response_status\` integer null, \`last_response_body\` text null, \`last_error\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`webhook_deliveries_endpoint_id_id_index\` on \`webhook_deliveries\` (\`endpoint_id\`, \`id\`);`);
    this.addSql(`create index \`webhook_deliveries_status_next_attempt_at_index\` on \`webhook_deliveries\` (\`status\`, \`next_attempt_at\`);`);
    this.addSql(`create unique index \`webhook_deliveries_endpoint_id_event_id_unique\` on \`webhook_deliveries\` (\`endpoint_id\`, \`event_id\`);`);

    this.addSql(`create table \`webhook_endpoints\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`tenant_id\` text not null, \`url\` text not null, \`description\` text null, \`events\` json not null, \`secret\` json not null, \`enabled\` integer not null default true, primary key (\`id\`));`);
    this.addSql(`create index \`webhook_endpoints_tenant_id_enabled_index\` on \`webhook_endpoints\` (\`tenant_id\`, \`enabled\`);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`webhook_deliveries\`;`);
    this.addSql(`drop table if exists \`webhook_endpoints\`;`);
  }

}
