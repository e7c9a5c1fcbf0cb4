import { Migration } from '@mikro-orm/migrations';

/** Replies counted per broadcast, and the provider's id of an uploaded header file (uploaded once at start). */
export class Migration20261130000300 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "broadcasts" add column "replies" int not null default 0, add column "header_media_provider_id" varchar(128) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "broadcasts" drop column "replies", drop column "header_media_provider_id";`);
  }

}
