import { Migration } from '@mikro-orm/migrations';

/** Indexes another index already serves, dropped: each was one more page written for every message, conversation, contact or template stored (ADR 0049). */
export class Migration20261201233159 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index \`agents_tenant_id_index\`;`);

    this.addSql(`drop index \`contacts_tenant_id_index\`;`);
    this.addSql(`drop index \`contacts_channel_account_id_index\`;`);

    this.addSql(`drop index \`conversations_channel_account_id_index\`;`);

    this.addSql(`drop index \`messages_channel_account_id_index\`;`);
    this.addSql(`drop index \`messages_conversation_id_index\`;`);

    this.addSql(`drop index \`templates_channel_account_id_index\`;`);
  }

}
