import { Migration } from '@mikro-orm/migrations';

export class Migration20261129190100 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`messages\` add column \`broadcast_id\` text null;`);
    this.addSql(`create index \`messages_broadcast_id_index\` on \`messages\` (\`broadcast_id\`);`);
  }

}
