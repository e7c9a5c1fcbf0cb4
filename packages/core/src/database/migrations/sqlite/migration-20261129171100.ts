import { Migration } from '@mikro-orm/migrations';

export class Migration20261129171100 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`api_keys\` add column \`inbox_ids\` json null;`);
    this.addSql(`alter table \`api_keys\` add column \`scopes\` json not null default '["read","send"]';`);
  }

}
