import { Migration } from '@mikro-orm/migrations';

/** A recipient's broadcast has no index of its own: (broadcast, status, id) serves it, and each import row wrote one page less (ADR 0049). */
export class Migration20261202100000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index \`broadcast_recipients_broadcast_id_index\`;`);
  }

}
