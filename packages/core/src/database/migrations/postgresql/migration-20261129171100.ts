import { Migration } from '@mikro-orm/migrations';

export class Migration20261129171100 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "api_keys" add column "inbox_ids" jsonb null, add column "scopes" jsonb not null default '["read","send"]';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "api_keys" drop column "inbox_ids", drop column "scopes";`);
  }

}
