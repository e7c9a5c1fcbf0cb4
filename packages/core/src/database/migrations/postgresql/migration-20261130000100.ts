import { Migration } from '@mikro-orm/migrations';

export class Migration20261130000100 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "conversations" add column "tags" jsonb not null default '[]';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "conversations" drop column "tags";`);
  }
}
