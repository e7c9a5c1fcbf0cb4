import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { type DatabaseKind, databaseKindOf } from '../database/orm-config.js';

export const tagsInUseQuerySchema = z.object({
  /** Tags starting with this (normalised the way tags are), for autocomplete. */
  q: z.string().trim().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const tagUsageSchema = z.object({
  tag: z.string(),
  conversations: z.number().int().describe('conversations carrying the tag'),
  contacts: z.number().int().describe('contacts carrying the tag'),
});
export type TagUsage = z.infer<typeof tagUsageSchema>;
export const tagsInUseSchema = z.object({ items: z.array(tagUsageSchema) });

/** The tags in use on conversations and contacts, for suggestions while tagging and filtering. */
@Injectable()
export class TagsService {
  private readonly kind: DatabaseKind;

  constructor(
    private readonly orm: MikroORM,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    this.kind = databaseKindOf(options.database.url);
  }

  /** Most used first, in the inboxes the principal may see. */
  async inUse(principal: Principal, query: z.infer<typeof tagsInUseQuerySchema>): Promise<TagUsage[]> {
    const prefix = query.q ? query.q.toLowerCase().replace(/\s+/g, '-') : '';
    const [conversations, contacts] = await Promise.all([this.count(principal, 'conversations', prefix), this.count(principal, 'contacts', prefix)]);
    const usage = new Map<string, TagUsage>();
    for (const [tag, n] of conversations) usage.set(tag, { tag, conversations: n, contacts: 0 });
    for (const [tag, n] of contacts) usage.set(tag, { tag, conversations: usage.get(tag)?.conversations ?? 0, contacts: n });
    return [...usage.values()].sort((a, b) => b.conversations + b.contacts - (a.conversations + a.contacts) || a.tag.localeCompare(b.tag)).slice(0, query.limit);
  }

  /** Rows per tag of one table's JSON `tags` column; the array is unnested by each database's own function. */
  private async count(principal: Principal, table: 'conversations' | 'contacts', prefix: string): Promise<[string, number][]> {
    const unnest = this.kind === 'postgresql' ? `jsonb_array_elements_text(t.tags) as j(value)` : `json_each(t.tags) j`;
    const params: unknown[] = [principal.tenantId];
    let where = 't.tenant_id = ?';
    if (principal.inboxIds !== 'all') {
      const inboxes = [...principal.inboxIds];
      if (inboxes.length === 0) return [];
      where += ` and t.channel_account_id in (${inboxes.map(() => '?').join(', ')})`;
      params.push(...inboxes);
    }
    if (prefix) {
      where += ` and substr(j.value, 1, ?) = ?`;
      params.push(prefix.length, prefix);
    }
    const rows = (await this.orm.em.getConnection().execute(`select j.value as tag, count(*) as n from ${table} t, ${unnest} where ${where} group by j.value`, params)) as { tag: string; n: number | string }[];
    return rows.map((r) => [String(r.tag), Number(r.n)]);
  }
}
