import { Migration } from '@mikro-orm/migrations';

export class Migration20261129160248 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`messages\` add column \`send_started_at\` datetime null;`);
  }

}
