import { Migration } from '@mikro-orm/migrations';

/** Canned responses: the team's shared replies, one per shortcut. */
export class Migration20261129190201 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "canned_responses" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "tenant_id" varchar(36) not null, "shortcut" varchar(40) not null, "text" text not null, constraint "canned_responses_pkey" primary key ("id"));`);
    this.addSql(`alter table "canned_responses" add constraint "canned_responses_tenant_id_shortcut_unique" unique ("tenant_id", "shortcut");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "canned_responses" cascade;`);
  }

}
