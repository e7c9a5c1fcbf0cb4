import { Migration } from '@mikro-orm/migrations';

export class Migration20261129210000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "contacts" add column "opted_out_source" varchar(16) null, add column "opted_out_reason" varchar(500) null;`);
    this.addSql(`create index "contacts_tenant_id_opted_out_at_index" on "contacts" ("tenant_id", "opted_out_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "contacts_tenant_id_opted_out_at_index";`);
    this.addSql(`alter table "contacts" drop column "opted_out_source", drop column "opted_out_reason";`);
  }

}
