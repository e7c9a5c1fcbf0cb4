import { Migration } from '@mikro-orm/migrations';

/** A broadcast's recipients are the rows of its audience: an import copies its own unseen, and one update makes them the audience (ADR 0043). */
export class Migration20261202090000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "broadcasts" add column "audience_id" varchar(36) not null default '';`);
    this.addSql(`alter table "broadcast_recipients" add column "audience_id" varchar(36) not null default '';`);
    this.addSql(`alter table "broadcast_recipients" drop constraint "broadcast_recipients_broadcast_id_phone_unique";`);
    this.addSql(`alter table "broadcast_recipients" add constraint "broadcast_recipients_broadcast_id_audience_id_phone_unique" unique ("broadcast_id", "audience_id", "phone");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "broadcast_recipients" drop constraint "broadcast_recipients_broadcast_id_audience_id_phone_unique";`);
    this.addSql(`alter table "broadcast_recipients" add constraint "broadcast_recipients_broadcast_id_phone_unique" unique ("broadcast_id", "phone");`);
    this.addSql(`alter table "broadcast_recipients" drop column "audience_id";`);
    this.addSql(`alter table "broadcasts" drop column "audience_id";`);
  }

}
