import { Migration } from '@mikro-orm/migrations';

/** A broadcast's recipients are the rows of its audience: an import copies its own unseen, in short transactions, and one update makes them the audience (ADR 0043). */
export class Migration20261202090000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`broadcasts\` add column \`audience_id\` text not null default '';`);
    this.addSql(`alter table \`broadcast_recipients\` add column \`audience_id\` text not null default '';`);
    this.addSql(`drop index \`broadcast_recipients_broadcast_id_phone_unique\`;`);
    this.addSql(`create unique index \`broadcast_recipients_broadcast_id_audience_id_phone_unique\` on \`broadcast_recipients\` (\`broadcast_id\`, \`audience_id\`, \`phone\`);`);
  }

}
