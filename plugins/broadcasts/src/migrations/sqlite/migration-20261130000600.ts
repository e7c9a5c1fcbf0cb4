import { Migration } from '@mikro-orm/migrations';

/** Why a broadcast paused or waits, and why a recipient was skipped, suppressed or cancelled, as stable codes with their values (the apps word them). */
export class Migration20261130000600 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`broadcasts\` add column \`reason_code\` text null;`);
    this.addSql(`alter table \`broadcasts\` add column \`reason_params\` json null;`);
    this.addSql(`alter table \`broadcast_recipients\` add column \`reason_code\` text null;`);
    this.addSql(`alter table \`broadcast_recipients\` add column \`reason_params\` json null;`);
  }

}
