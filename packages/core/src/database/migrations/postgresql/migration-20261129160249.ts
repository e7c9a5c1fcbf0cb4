import { Migration } from '@mikro-orm/migrations';

export class Migration20261129160249 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "messages" add column "send_started_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "messages" drop column "send_started_at";`);
  }

}
