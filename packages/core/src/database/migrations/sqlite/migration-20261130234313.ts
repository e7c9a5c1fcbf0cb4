import { Migration } from '@mikro-orm/migrations';

/** What WhatsApp restricts a number from sending (`account_update`), kept on the number: sends it forbids are refused. */
export class Migration20261130234313 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`channel_accounts\` add column \`restriction\` json null;`);
  }

}
