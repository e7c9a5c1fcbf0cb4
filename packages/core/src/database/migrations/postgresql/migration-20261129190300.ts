import { Migration } from '@mikro-orm/migrations';

export class Migration20261129190300 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "password_links" ("id" varchar(36) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "token_hash" varchar(64) not null, "agent_id" varchar(36) not null, "purpose" text check ("purpose" in ('invite', 'reset')) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, constraint "password_links_pkey" primary key ("id"));`);
    this.addSql(`alter table "password_links" add constraint "password_links_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "password_links" add constraint "password_links_agent_id_foreign" foreign key ("agent_id") references "agents" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "agents" drop constraint if exists "agents_role_check";`);

    this.addSql(`alter table "agents" add column "locale" varchar(16) null, add column "notifications" jsonb null;`);
    this.addSql(`alter table "agents" add constraint "agents_role_check" check("role" in ('admin', 'agent', 'marketer'));`);

    this.addSql(`alter table "channel_accounts" add column "last_webhook_at" timestamptz null, add column "last_check" jsonb null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "password_links" cascade;`);

    this.addSql(`alter table "agents" drop constraint if exists "agents_role_check";`);

    this.addSql(`alter table "agents" drop column "locale", drop column "notifications";`);

    this.addSql(`alter table "agents" add constraint "agents_role_check" check("role" in ('admin', 'agent'));`);

    this.addSql(`alter table "channel_accounts" drop column "last_webhook_at", drop column "last_check";`);
  }

}
