import { Migration } from '@mikro-orm/migrations';

/** The team inbox: private notes, agent presence and round-robin order, per-inbox auto-assignment, snooze. */
export class Migration20261129190200 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "conversation_notes" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "tenant_id" varchar(36) not null, "conversation_id" varchar(36) not null, "author_id" varchar(36) null, "text" text not null, "mentioned_agent_ids" jsonb not null, constraint "conversation_notes_pkey" primary key ("id"));`);
    this.addSql(`create index "conversation_notes_conversation_id_created_at_index" on "conversation_notes" ("conversation_id", "created_at");`);

    this.addSql(`alter table "conversation_notes" add constraint "conversation_notes_conversation_id_foreign" foreign key ("conversation_id") references "conversations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "conversation_notes" add constraint "conversation_notes_author_id_foreign" foreign key ("author_id") references "agents" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "agents" add column "presence" text check ("presence" in ('online', 'away')) not null default 'away', add column "last_assigned_at" timestamptz null;`);

    this.addSql(`alter table "channel_accounts" add column "auto_assign" boolean not null default false, add column "auto_assign_limit" int not null default 10;`);

    this.addSql(`alter table "conversations" add column "snoozed_until" timestamptz null;`);
    this.addSql(`create index "conversations_snoozed_until_index" on "conversations" ("snoozed_until");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "conversation_notes" cascade;`);

    this.addSql(`alter table "agents" drop column "presence", drop column "last_assigned_at";`);

    this.addSql(`alter table "channel_accounts" drop column "auto_assign", drop column "auto_assign_limit";`);

    this.addSql(`drop index "conversations_snoozed_until_index";`);
    this.addSql(`alter table "conversations" drop column "snoozed_until";`);
  }

}
