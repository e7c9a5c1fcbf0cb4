import { Migration } from '@mikro-orm/migrations';

export class Migration20261129190100 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "messages" add column "broadcast_id" varchar(36) null;`);
    this.addSql(`create index "messages_broadcast_id_index" on "messages" ("broadcast_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "messages_broadcast_id_index";`);
    this.addSql(`alter table "messages" drop column "broadcast_id";`);
  }

}
