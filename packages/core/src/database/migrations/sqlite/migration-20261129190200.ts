import { Migration } from '@mikro-orm/migrations';

/** The team inbox: private notes, agent presence and round-robin order, per-inbox auto-assignment, snooze. */
export class Migration20261129190200 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`conversation_notes\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`tenant_id\` text not null, \`conversation_id\` text not null, \`author_id\` text null, \`text\` text not null, \`mentioned_agent_ids\` json not null, constraint \`conversation_notes_conversation_id_foreign\` foreign key(\`conversation_id\`) references \`conversations\`(\`id\`) on delete cascade on update cascade, constraint \`conversation_notes_author_id_foreign\` foreign key(\`author_id\`) references \`agents\`(\`id\`) on delete set null on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`conversation_notes_author_id_index\` on \`conversation_notes\` (\`author_id\`);`);
    this.addSql(`create index \`conversation_notes_conversation_id_created_at_index\` on \`conversation_notes\` (\`conversation_id\`, \`created_at\`);`);

    this.addSql(`alter table \`agents\` add column \`presence\` text check (\`presence\` in ('online', 'away')) not null default 'away';`);
    this.addSql(`alter table \`agents\` add column \`last_assigned_at\` datetime null;`);

    this.addSql(`alter table \`channel_accounts\` add column \`auto_assign\` integer not null default false;`);
    this.addSql(`alter table \`channel_accounts\` add column \`auto_assign_limit\` integer not null default 10;`);

    this.addSql(`alter table \`conversations\` add column \`snoozed_until\` datetime null;`);
    this.addSql(`create index \`conversations_snoozed_until_index\` on \`conversations\` (\`snoozed_until\`);`);
  }

}
