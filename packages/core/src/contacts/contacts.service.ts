import { Injectable } from '@nestjs/common';
import { type FilterQuery, MikroORM } from '@mikro-orm/core';
import { type ContactView, ObrolError } from '@obrol/contracts';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { AuditLog } from '../audit/audit-log.entity.js';
import { type Principal, actorOf, assertInbox } from '../auth/principal.js';
import { ChannelsService } from '../channels/channels.service.js';
import { type Page, decodeCursor, encodeCursor, idCursorSchema, pageQuerySchema } from '../http/pagination.js';
import { Contact } from './contact.entity.js';

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number like +6281234567890');

export const listContactsQuerySchema = pageQuerySchema.extend({
  channelAccountId: z.string().max(36).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  tag: z.string().trim().min(1).max(64).optional(),
});

export const updateContactSchema = z.object({
  name: z.string().trim().max(200).nullable().optional(),
  attributes: z.record(z.string().max(64), z.string().max(1000)).optional(),
  tags: z.array(z.string().trim().min(1).max(64)).max(100).optional(),
  /** true records an opt-in now, false an opt-out. */
  optedIn: z.boolean().optional(),
});

export const importContactsQuerySchema = z.object({ channelAccountId: z.string().min(1).max(36) });

export { type ContactView, contactViewSchema } from '@obrol/contracts';

export const contactImportResultSchema = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  refused: z.number().int(),
  errors: z.array(z.object({ row: z.number().int(), message: z.string() })),
});

export const contactView = (c: Contact): ContactView => ({
  id: c.id,
  channelAccountId: c.channelAccount.id,
  externalId: c.externalId,
  phone: c.phone,
  name: c.name,
  attributes: c.attributes,
  tags: c.tags,
  optedInAt: c.optedInAt?.toISOString() ?? null,
  optedOutAt: c.optedOutAt?.toISOString() ?? null,
  createdAt: c.createdAt.toISOString(),
});

const MAX_IMPORT_ROWS = 50_000;

@Injectable()
export class ContactsService {
  constructor(
    private readonly orm: MikroORM,
    private readonly channels: ChannelsService,
  ) {}

  async list(principal: Principal, query: z.infer<typeof listContactsQuerySchema>): Promise<Page<ContactView>> {
    const and: FilterQuery<Contact>[] = [{ tenantId: principal.tenantId }];
    if (principal.inboxIds !== 'all') and.push({ channelAccount: { $in: [...principal.inboxIds] } });
    if (query.channelAccountId) and.push({ channelAccount: query.channelAccountId });
    if (query.q) {
      const like = `%${query.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
      and.push({ $or: [{ name: { $like: like } }, { phone: { $like: like } }] });
    }
    if (query.cursor) and.push({ id: { $lt: decodeCursor(query.cursor, idCursorSchema).id } });
    let rows = await this.orm.em.fork().find(Contact, { $and: and }, { orderBy: { id: 'desc' }, limit: query.tag ? undefined : query.limit + 1 });
    // Tags live in a JSON column; filter them here so the query stays portable across databases.
    if (query.tag) rows = rows.filter((c) => c.tags.includes(query.tag!)).slice(0, query.limit + 1);
    const items = rows.slice(0, query.limit);
    return { items: items.map(contactView), nextCursor: rows.length > query.limit ? encodeCursor({ id: items.at(-1)!.id }) : null };
  }

  async get(principal: Principal, id: string, em = this.orm.em.fork()): Promise<Contact> {
    const contact = await em.findOne(Contact, { id, tenantId: principal.tenantId });
    if (!contact) throw new ObrolError('NOT_FOUND', 'Contact not found.');
    assertInbox(principal, contact.channelAccount.id, 'Contact');
    return contact;
  }

  async update(principal: Principal, id: string, input: z.infer<typeof updateContactSchema>): Promise<ContactView> {
    const em = this.orm.em.fork();
    const contact = await this.get(principal, id, em);
    if (input.name !== undefined) contact.name = input.name;
    if (input.attributes) contact.attributes = { ...contact.attributes, ...input.attributes };
    if (input.tags) contact.tags = [...new Set(input.tags)];
    if (input.optedIn === true) contact.optedInAt = new Date();
    if (input.optedIn === false) contact.optedOutAt = new Date();
    await em.flush();
    return contactView(contact);
  }

  /**
   * Imports contacts from CSV with a header row: `phone` (E.164, required), optional `name`,
   * `tags` (separated by `;`), and any other column becomes an attribute. Existing contacts
   * (same phone on the same channel) are updated. Returns counts and the rows it refused.
   */
  async importCsv(principal: Principal, channelAccountId: string, csv: string) {
    const account = await this.channels.get(principal, channelAccountId);
    let records: Record<string, string>[];
    try {
      records = parse(csv, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true, to: MAX_IMPORT_ROWS + 1 });
    } catch (error) {
      throw new ObrolError('VALIDATION_FAILED', `The CSV could not be read: ${(error as Error).message}`);
    }
    if (records.length > MAX_IMPORT_ROWS) throw new ObrolError('PAYLOAD_TOO_LARGE', `Import at most ${MAX_IMPORT_ROWS} rows at once.`);
    if (records.length > 0 && !('phone' in records[0]!)) throw new ObrolError('VALIDATION_FAILED', 'The CSV needs a header row with a "phone" column.');
    const em = this.orm.em.fork();
    const errors: { row: number; message: string }[] = [];
    let created = 0;
    let updated = 0;
    const existing = new Map((await em.find(Contact, { channelAccount: account })).map((c) => [c.externalId, c]));
    records.forEach((record, index) => {
      const { phone, name, tags, ...attributes } = record;
      const parsed = e164.safeParse(phone?.replace(/[\s()-]/g, ''));
      if (!parsed.success) {
        errors.push({ row: index + 2, message: `phone "${phone ?? ''}" ${parsed.error.issues[0]!.message}` });
        return;
      }
      const externalId = parsed.data.slice(1);
      const tagList = (tags ?? '').split(';').map((t) => t.trim()).filter(Boolean);
      const contact = existing.get(externalId);
      if (contact) {
        if (name) contact.name = name;
        contact.tags = [...new Set([...contact.tags, ...tagList])];
        contact.attributes = { ...contact.attributes, ...attributes };
        updated++;
      } else {
        existing.set(externalId, em.create(Contact, { tenantId: account.tenantId, channelAccount: account, externalId, phone: parsed.data, name: name || null, tags: tagList, attributes }));
        created++;
      }
    });
    em.create(AuditLog, { tenantId: account.tenantId, actor: actorOf(principal), action: 'contacts.import', targetType: 'channel_account', targetId: account.id, details: { created, updated, refused: errors.length } });
    await em.flush();
    return { created, updated, refused: errors.length, errors: errors.slice(0, 100) };
  }
}
