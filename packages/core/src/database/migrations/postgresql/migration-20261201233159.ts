import { Migration } from '@mikro-orm/migrations';

/** Indexes another index already serves, dropped: agents and contacts by tenant are served by (tenant, email) and (tenant, opted out at) (ADR 0049). */
export class Migration20261201233159 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index "agents_tenant_id_index";`);

    this.addSql(`drop index "contacts_tenant_id_index";`);

  }

  override async down(): Promise<void> {
    this.addSql(`create index "agents_tenant_id_index" on "agents" ("tenant_id");`);

    this.addSql(`create index "contacts_tenant_id_index" on "contacts" ("tenant_id");`);

  }

}
