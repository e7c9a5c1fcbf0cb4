import { Migration } from '@mikro-orm/migrations';

/** An audience file's rows are staged a batch at a time and copied into the recipients once the whole file is valid (ADR 0030). */
export class Migration20261130093000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`broadcast_audience_staged\` (\`id\` text not null, \`import_id\` text not null, \`broadcast_id\` text not null, \`phone\` text not null, \`country\` text null, \`csv_row\` integer not null, \`columns\` json not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`broadcast_audience_staged_created_at_index\` on \`broadcast_audience_staged\` (\`created_at\`);`);
    this.addSql(`create unique index \`broadcast_audience_staged_import_id_phone_unique\` on \`broadcast_audience_staged\` (\`import_id\`, \`phone\`);`);
  }

}
