import { Migration } from '@mikro-orm/migrations';

export class Migration20261129190300 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`password_links\` (\`id\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`token_hash\` text not null, \`agent_id\` text not null, \`purpose\` text check (\`purpose\` in ('invite', 'reset')) not null, \`expires_at\` datetime not null, \`used_at\` datetime null, constraint \`password_links_agent_id_foreign\` foreign key(\`agent_id\`) references \`agents\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create unique index \`password_links_token_hash_unique\` on \`password_links\` (\`token_hash\`);`);
    this.addSql(`create index \`password_links_agent_id_index\` on \`password_links\` (\`agent_id\`);`);

    this.addSql(`alter table \`agents\` add column \`locale\` text null;`);
    this.addSql(`alter table \`agents\` add column \`notifications\` json null;`);

    // The role check gains 'marketer'. A table rebuild would cascade-delete sessions and
    // memberships (foreign keys stay on inside the migration's transaction), so the CHECK text
    // is widened in place, as SQLite documents for constraints every existing row satisfies.
    // Bumping schema_version makes every open connection read the new definition.
    const [{ schema_version: version }] = (await this.execute('pragma schema_version')) as [{ schema_version: number }];
    this.addSql(`pragma writable_schema = on;`);
    this.addSql(`update sqlite_master set sql = replace(sql, '(''admin'', ''agent'')', '(''admin'', ''agent'', ''marketer'')') where type = 'table' and name = 'agents';`);
    this.addSql(`pragma schema_version = ${version + 1};`);
    this.addSql(`pragma writable_schema = off;`);

    this.addSql(`alter table \`channel_accounts\` add column \`last_webhook_at\` datetime null;`);
    this.addSql(`alter table \`channel_accounts\` add column \`last_check\` json null;`);
  }

}
