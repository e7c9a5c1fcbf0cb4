import { Migration } from '@mikro-orm/migrations';

/**
 * The text of a message that search indexes, from its JSON content, with every run of other
 * characters made a space so that words split as SQLite FTS5 splits them ("+62812…" is the word
 * 62812…). The same fields as `searchableTextOf` (search/search-query.ts).
 */
const searchableText = [['text'], ['media', 'caption'], ['filename'], ['interactive', 'body'], ['reply', 'title'], ['template', 'renderedText'], ['name'], ['address']]
  .map((path) => `coalesce("content" #>> '{${path.join(',')}}', '')`)
  .join(` || ' ' || `);

export class Migration20261130000200 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "tenants" add column "default_country" varchar(2) not null default 'ID';`);

    // Full-text search (ADR 0022): a generated tsvector (the `simple` configuration: no stemming
    // or stop words, since customers write Indonesian and English) with a GIN index. Not an
    // entity property: the schema comparison skips it (database/full-text-objects.ts).
    this.addSql(`alter table "messages" add column "search_vector" tsvector generated always as (to_tsvector('simple'::regconfig, regexp_replace(${searchableText}, '[^[:alnum:]]+', ' ', 'g'))) stored;`);
    this.addSql(`create index "messages_search_vector_index" on "messages" using gin ("search_vector");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "messages_search_vector_index";`);
    this.addSql(`alter table "messages" drop column "search_vector";`);
    this.addSql(`alter table "tenants" drop column "default_country";`);
  }

}
