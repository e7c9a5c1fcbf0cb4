import { Migration } from '@mikro-orm/migrations';

/** An audience file's rows are staged a batch at a time and copied into the recipients once the whole file is valid (ADR 0030). */
export class Migration20261130093000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "broadcast_audience_staged" ("id" varchar(36) not null, "import_id" varchar(36) not null, "broadcast_id" varchar(36) not null, "phone" varchar(20) not null, "country" varchar(2) null, "csv_row" int not null, "columns" jsonb not null, "created_at" timestamptz not null, constraint "broadcast_audience_staged_pkey" primary key ("id"));`);
    this.addSql(`create index "broadcast_audience_staged_created_at_index" on "broadcast_audience_staged" ("created_at");`);
    this.addSql(`alter table "broadcast_audience_staged" add constraint "broadcast_audience_staged_import_id_phone_unique" unique ("import_id", "phone");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "broadcast_audience_staged" cascade;`);
  }

}
