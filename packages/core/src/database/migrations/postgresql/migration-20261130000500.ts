import { Migration } from '@mikro-orm/migrations';

/** Who is online: when each agent last had the app open, and until when their open app counts as connected. */
export class Migration20261130000500 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "agents" add column "last_seen_at" timestamptz null, add column "connected_until" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "agents" drop column "last_seen_at", drop column "connected_until";`);
  }

}
