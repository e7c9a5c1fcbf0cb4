import { Migration } from '@mikro-orm/migrations';

/**
 * The text of a message that search indexes, read from its JSON content (`row` is `new` or
 * `messages`). The same fields as `searchableTextOf` (search/search-query.ts).
 */
const searchableText = (row: string) =>
  ['$.text', '$.media.caption', '$.filename', '$.interactive.body', '$.reply.title', '$.template.renderedText', '$.name', '$.address']
    .map((path) => `coalesce(json_extract(${row}.\`content\`, '${path}'), '')`)
    .join(` || ' ' || `);

export class Migration20261130000200 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`tenants\` add column \`default_country\` text not null default 'ID';`);

    // Full-text search (ADR 0022): an FTS5 index keyed by the messages' rowid, kept by triggers
    // in the writing transaction, so the ORM's inserts and the set-based ingest writer's alike
    // are indexed. Contentless: the text stays in `messages` only.
    this.addSql(`create virtual table \`messages_search\` using fts5(\`body\`, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');`);
    this.addSql(`create trigger \`messages_search_insert\` after insert on \`messages\` begin insert into \`messages_search\` (rowid, \`body\`) values (new.rowid, ${searchableText('new')}); end;`);
    this.addSql(`create trigger \`messages_search_update\` after update of \`content\` on \`messages\` begin delete from \`messages_search\` where rowid = old.rowid; insert into \`messages_search\` (rowid, \`body\`) values (new.rowid, ${searchableText('new')}); end;`);
    this.addSql(`create trigger \`messages_search_delete\` after delete on \`messages\` begin delete from \`messages_search\` where rowid = old.rowid; end;`);
    this.addSql(`insert into \`messages_search\` (rowid, \`body\`) select rowid, ${searchableText('messages')} from \`messages\`;`);
  }

}
