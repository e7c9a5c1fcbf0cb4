import { Migration } from '@mikro-orm/migrations';

/** Why a recipient was skipped, suppressed or cancelled, as a stable code with its parameters (the apps translate it). */
export class Migration20261130000600 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "broadcast_recipients" add column "reason_code" varchar(64) null, add column "reason_params" jsonb null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "broadcast_recipients" drop column "reason_code", drop column "reason_params";`);
  }

}
