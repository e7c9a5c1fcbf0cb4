import { Migration } from '@mikro-orm/migrations';

export class Migration20261130000100 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`conversations\` add column \`tags\` json not null default '[]';`);
  }

}
