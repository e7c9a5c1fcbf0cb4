import { Migration } from '@mikro-orm/migrations';

export class Migration20261129000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table "sample_visits" ("id" varchar(36) not null, "source" varchar(16) not null, "subject" varchar(255) not null, "created_at" timestamptz not null, constraint "sample_visits_pkey" primary key ("id"));');
  }
}
