import { Migration } from '@mikro-orm/migrations';

export class Migration20261129000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table `sample_visits` (`id` text not null, `source` text not null, `subject` text not null, `created_at` datetime not null, primary key (`id`));');
  }
}
