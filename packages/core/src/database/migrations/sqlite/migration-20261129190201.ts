import { Migration } from '@mikro-orm/migrations';

/** Canned responses: the team's shared replies, one per shortcut. */
export class Migration20261129190201 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`canned_responses\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`tenant_id\` text not null, \`shortcut\` text not null, \`text\` text not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`canned_responses_tenant_id_shortcut_unique\` on \`canned_responses\` (\`tenant_id\`, \`shortcut\`);`);
  }

}
