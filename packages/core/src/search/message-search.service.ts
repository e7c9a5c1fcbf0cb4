import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import type { MessageContent, MessageSearchHit, Page } from '@obrol/contracts';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { Conversation } from '../conversations/conversation.entity.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { HandWrittenSql } from '../database/hand-written-sql.js';
import { databaseKindOf } from '../database/orm-config.js';
import { decodeCursor, encodeCursor, idCursorSchema, pageQuerySchema } from '../http/pagination.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { type SearchQuery, fts5Match, parseSearchQuery, searchableTextOf, snippetOf, tsQuery } from './search-query.js';

export const searchMessagesQuerySchema = pageQuerySchema.extend({
  /** Words (each matched by prefix, all required) or a phone number in any format ("0812…" finds "+62812…"). */
  q: z.string().trim().min(1).max(200),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

interface MatchRow {
  id: string;
  conversation_id: string;
  direction: 'inbound' | 'outbound';
  content: unknown;
  created_at: unknown;
}

/**
 * Full-text search over every message of the inboxes the caller may see, newest first, by the
 * database's own index (SQLite FTS5 table `messages_search`, PostgreSQL `messages.search_vector`
 * with a GIN index: ADR 0022). Set-based SQL: the ORM has no full-text operator for SQLite.
 */
@Injectable()
export class MessageSearchService {
  private readonly sql: HandWrittenSql;

  constructor(
    private readonly orm: MikroORM,
    private readonly conversations: ConversationsService,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    this.sql = new HandWrittenSql(databaseKindOf(options.database.url));
  }

  async search(principal: Principal, input: z.infer<typeof searchMessagesQuerySchema>): Promise<Page<MessageSearchHit>> {
    const em = this.orm.em.fork();
    const tenant = await em.findOneOrFail(Tenant, principal.tenantId);
    const query = parseSearchQuery(input.q, tenant.defaultCountry);
    if (principal.inboxIds !== 'all' && principal.inboxIds.size === 0) return { items: [], nextCursor: null };
    const before = input.cursor ? decodeCursor(input.cursor, idCursorSchema).id : null;
    const rows = await this.matches(em, principal, query, before, input.limit + 1);
    const page = rows.slice(0, input.limit);
    const conversations = new Map(
      (await em.find(Conversation, { id: { $in: [...new Set(page.map((r) => r.conversation_id))] } }, { populate: ['contact', 'channelAccount'] })).map((c) => [c.id, c]),
    );
    const items = page.map((r) => ({
      messageId: r.id,
      direction: r.direction,
      createdAt: this.sql.readDate(r.created_at)!.toISOString(),
      snippet: snippetOf(searchableTextOf(this.sql.readJson<MessageContent>(r.content)), query),
      conversation: this.conversations.view(conversations.get(r.conversation_id)!),
    }));
    return { items, nextCursor: rows.length > input.limit ? encodeCursor({ id: page.at(-1)!.id }) : null };
  }

  /**
   * Matching messages of the caller's inboxes, newest first, older than the cursor's. SQLite
   * walks the FTS5 index backwards by rowid (insertion order, which is id order: ids are
   * UUIDv7 made at insert) and stops at the page's end; sorting by id instead would sort every
   * match first (seconds for a word in a million messages).
   */
  private matches(em: EntityManager, principal: Principal, query: SearchQuery, before: string | null, limit: number): Promise<MatchRow[]> {
    const inboxes = principal.inboxIds === 'all' ? [] : [...principal.inboxIds];
    const postgres = this.sql.kind === 'postgresql';
    const scope = [
      'm.tenant_id = ?',
      ...(inboxes.length ? [`m.channel_account_id in (${inboxes.map(() => '?').join(', ')})`] : []),
      ...(before ? [postgres ? 'm.id < ?' : 's.rowid < (select rowid from messages where id = ?)'] : []),
    ].join(' and ');
    const params = [principal.tenantId, ...inboxes, ...(before ? [before] : []), limit];
    const columns = 'm.id, m.conversation_id, m.direction, m.content, m.created_at';
    if (postgres) {
      return this.sql.all(em, `select ${columns} from messages m where m.search_vector @@ to_tsquery('simple', ?) and ${scope} order by m.id desc limit ?`, [tsQuery(query), ...params]);
    }
    return this.sql.all(em, `select ${columns} from messages_search s join messages m on m.rowid = s.rowid where messages_search match ? and ${scope} order by s.rowid desc limit ?`, [fts5Match(query), ...params]);
  }
}
