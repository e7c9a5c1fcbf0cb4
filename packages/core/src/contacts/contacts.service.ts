import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, type FilterQuery, MikroORM } from '@mikro-orm/core';
import { type ChannelIdentity, type Clock, type ContactUpdatedFact, type ContactView, ObrolError, facts, liveEvents } from '@obrol/contracts';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { AuditService } from '../audit/audit.service.js';
import { type Principal, actorOf, assertInbox } from '../auth/principal.js';
import { ChannelsService } from '../channels/channels.service.js';
import { CLOCK } from '../clock/clock.token.js';
import { type Page, decodeCursor, encodeCursor, idCursorSchema, pageQuerySchema } from '../http/pagination.js';
import { containsText } from '../database/contains-text.filter.js';
import { jsonArrayContains } from '../database/json-array-contains.filter.js';
import { type DatabaseKind, databaseKindOf } from '../database/orm-config.js';
import { HandWrittenSql, chunksOf, PLANNED_EACH_RUN } from '../database/hand-written-sql.js';
import { newId } from '../database/base.entity.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { recordEvent } from '../outbox/outbox.js';
import { applyTagChange, tagChangeShape } from '../tags/tag-change.js';
import { Conversation } from '../conversations/conversation.entity.js';
import { Message } from '../messages/message.entity.js';
import { Contact } from './contact.entity.js';

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number like +6281234567890');

export const listContactsQuerySchema = pageQuerySchema.extend({
  channelAccountId: z.string().max(36).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  tag: z.string().trim().min(1).max(64).optional(),
});

export const updateContactSchema = z.object({
  name: z.string().trim().max(200).nullable().optional(),
  /** Merged into the stored attributes; a null value removes that attribute. */
  attributes: z.record(z.string().trim().min(1).max(64), z.string().max(1000).nullable()).optional(),
  ...tagChangeShape,
  /** true records an opt-in now, false an opt-out. */
  optedIn: z.boolean().optional(),
});

/** What the contact panel shows beside the thread: the person's conversations and the broadcasts they received. */
export const contactActivitySchema = z.object({
  conversations: z.array(
    z.object({
      id: z.string(),
      channelAccountId: z.string(),
      contactId: z.string(),
      status: z.enum(['open', 'pending', 'resolved']),
      lastMessageAt: z.iso.datetime().nullable(),
      lastMessagePreview: z.string().nullable(),
      createdAt: z.iso.datetime(),
    }),
  ).describe("this contact's conversations and those of the same phone number in the caller's other inboxes, latest first"),
  broadcasts: z.array(
    z.object({
      messageId: z.string(),
      broadcastId: z.string(),
      templateName: z.string().nullable(),
      status: z.string(),
      sentAt: z.iso.datetime(),
    }),
  ).describe('broadcast messages sent to this contact, latest first (at most 20); the broadcast name is the broadcasts API\'s to tell'),
});
export type ContactActivity = z.infer<typeof contactActivitySchema>;

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
  optedOutSource: c.optedOutAt ? (c.optedOutSource as ContactView['optedOutSource']) : null,
  optedOutReason: c.optedOutAt ? c.optedOutReason : null,
  createdAt: c.createdAt.toISOString(),
});

/** Attributes after an edit: set values replace, null removes; kept in the order they were first added. */
function mergeAttributes(current: Record<string, string>, edit: Record<string, string | null>): Record<string, string> {
  const next = { ...current };
  for (const [key, value] of Object.entries(edit)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

const MAX_IMPORT_ROWS = 50_000;
/** Ids per lookup query (SQLite caps the number of bound parameters). */
const LOOKUP_CHUNK = 1000;

/** A contact as `findOrCreate` found or made it. */
export interface FoundContact {
  contact: Contact;
  created: boolean;
}

/** A contact as `findOrCreateRows` found or made it (webhook ingest): a plain row, outside any unit of work. */
export interface IngestedContact {
  id: string;
  externalId: string;
  name: string | null;
  phone: string | null;
  created: boolean;
}

/** A contact as `findOrCreateMany` found or made it: its id, not an entity in a unit of work. */
export interface ContactRef {
  id: string;
  externalId: string;
  created: boolean;
  /** When the customer opted out, if they did (a broadcast's hand-out suppresses them). */
  optedOutAt: Date | null;
}

@Injectable()
export class ContactsService {
  private readonly kind: DatabaseKind;
  private readonly sql: HandWrittenSql;

  constructor(
    private readonly orm: MikroORM,
    private readonly channels: ChannelsService,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    this.kind = databaseKindOf(options.database.url);
    this.sql = new HandWrittenSql(this.kind);
  }

  /**
   * The contacts of these channel identities on one channel account, in the caller's unit of
   * work: found by external id (one query per thousand), created when new; a name or phone the
   * identity carries replaces the stored one (later identities win). The one find-or-create of
   * contacts: inbound messages, sends to a phone number and CSV imports all go through it.
   */
  async findOrCreate(em: EntityManager, account: { id: string; tenantId: string }, identities: ChannelIdentity[]): Promise<Map<string, FoundContact>> {
    const ids = [...new Set(identities.map((i) => i.externalId))];
    const found = new Map<string, FoundContact>();
    for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
      for (const contact of await em.find(Contact, { channelAccount: account.id, externalId: { $in: ids.slice(i, i + LOOKUP_CHUNK) } })) {
        found.set(contact.externalId, { contact, created: false });
      }
    }
    for (const identity of identities) {
      const known = found.get(identity.externalId);
      if (!known) {
        const contact = em.create(Contact, { tenantId: account.tenantId, channelAccount: account.id, externalId: identity.externalId, phone: identity.phone ?? null, name: identity.name ?? null });
        found.set(identity.externalId, { contact, created: true });
        continue;
      }
      if (identity.name && identity.name !== known.contact.name) known.contact.name = identity.name;
      if (identity.phone && identity.phone !== known.contact.phone) known.contact.phone = identity.phone;
    }
    return found;
  }

  /**
   * `findOrCreate` for webhook ingest, set-based and outside any unit of work (ADR 0037): per few
   * hundred identities, one select, one insert of the new ones and, when a customer changed
   * their profile name (or the channel now knows their phone), one update. A name or phone an
   * identity carries replaces the stored one, later identities winning, as in `findOrCreate`.
   * A contact another process created meanwhile fails the caller's batch, which is then retried
   * delivery by delivery and finds it stored (as the unit of work did).
   */
  async findOrCreateRows(em: EntityManager, account: { id: string; tenantId: string }, identities: ChannelIdentity[]): Promise<Map<string, IngestedContact>> {
    const { sql } = this;
    const latest = new Map<string, ChannelIdentity>();
    for (const i of identities) {
      const before = latest.get(i.externalId);
      latest.set(i.externalId, { externalId: i.externalId, name: i.name || before?.name, phone: i.phone || before?.phone });
    }
    const found = new Map<string, IngestedContact>();
    // Bookkeeping on the wall clock, as the entity's defaults do.
    const now = sql.date(new Date());
    for (const chunk of chunksOf([...latest.values()])) {
      const externalIdIn = sql.inList('external_id', chunk.map((i) => i.externalId), 'text');
      const rows = await sql.all<{ id: string; external_id: string; name: string | null; phone: string | null }>(
        em,
        `select id, external_id, name, phone from contacts where channel_account_id = ? and ${externalIdIn.sql}`,
        [account.id, ...externalIdIn.params],
        PLANNED_EACH_RUN,
      );
      for (const row of rows) found.set(row.external_id, { id: row.id, externalId: row.external_id, name: row.name, phone: row.phone, created: false });
      const fresh: IngestedContact[] = [];
      const changed: IngestedContact[] = [];
      for (const identity of chunk) {
        const known = found.get(identity.externalId);
        if (!known) {
          const contact = { id: newId(), externalId: identity.externalId, name: identity.name ?? null, phone: identity.phone ?? null, created: true };
          found.set(contact.externalId, contact);
          fresh.push(contact);
        } else if ((identity.name && identity.name !== known.name) || (identity.phone && identity.phone !== known.phone)) {
          known.name = identity.name || known.name;
          known.phone = identity.phone || known.phone;
          changed.push(known);
        }
      }
      if (fresh.length > 0) {
        const inserted = await this.insertRows(em, account, fresh);
        if (inserted.size !== fresh.length) throw new Error(`${fresh.length - inserted.size} contact(s) of this batch were stored meanwhile by another process`);
      }
      if (changed.length > 0) {
        const v = sql.rowsOf(
          changed.map((c) => [c.id, c.name, c.phone]),
          ['text', 'text', 'text'],
        );
        await sql.run(
          em,
          `with v (ref, name, phone) as (${v.sql}) update contacts set name = v.name, phone = v.phone, updated_at = ? from v where contacts.id = v.ref`,
          [...v.params, now],
          { prepared: true },
        );
      }
    }
    return found;
  }

  /**
   * The contacts of these identities on one channel account, set-based and outside any unit of
   * work, for callers that handle thousands at once (a broadcast's hand-out): per few hundred
   * identities, one insert that skips those already stored (the unique key on channel account
   * + external id, so two workers racing get the same contact) and one select of their ids.
   * Unlike `findOrCreate`, a stored contact's name and phone are left as they are.
   */
  async findOrCreateMany(em: EntityManager, account: { id: string; tenantId: string }, identities: ChannelIdentity[]): Promise<Map<string, ContactRef>> {
    const { sql } = this;
    const unique = [...new Map(identities.map((i) => [i.externalId, i])).values()];
    const found = new Map<string, ContactRef>();
    for (const chunk of chunksOf(unique)) {
      const created = await this.insertRows(em, account, chunk.map((i) => ({ id: newId(), externalId: i.externalId, phone: i.phone ?? null, name: i.name ?? null })));
      const externalIdIn = sql.inList('external_id', chunk.map((i) => i.externalId), 'text');
      const rows = await sql.all<{ id: string; external_id: string; opted_out_at: unknown }>(
        em,
        `select id, external_id, opted_out_at from contacts where channel_account_id = ? and ${externalIdIn.sql}`,
        [account.id, ...externalIdIn.params],
        PLANNED_EACH_RUN,
      );
      for (const row of rows) found.set(row.external_id, { id: row.id, externalId: row.external_id, created: created.has(row.id), optedOutAt: sql.readDate(row.opted_out_at) });
    }
    return found;
  }

  /**
   * Inserts new contacts (at most a chunk's worth) and answers the ids it inserted: a contact
   * another process stored first (the unique key on channel account + external id) is skipped.
   * The one place that knows what a new contact row holds, for the set-based callers.
   */
  private async insertRows(
    em: EntityManager,
    account: { id: string; tenantId: string },
    rows: { id: string; externalId: string; phone: string | null; name: string | null }[],
  ): Promise<Set<string>> {
    const { sql } = this;
    // Bookkeeping on the wall clock, as the entity's defaults do.
    const now = sql.date(new Date());
    const cast = sql.kind === 'postgresql' ? '::jsonb' : '';
    const values = sql.rowsOf(
      rows.map((c) => [c.id, now, now, account.tenantId, account.id, c.externalId, c.phone, c.name]),
      ['text', 'timestamptz', 'timestamptz', 'text', 'text', 'text', 'text', 'text', { constant: `'{}'${cast}` }, { constant: `'[]'${cast}` }],
    );
    const inserted = await sql.all<{ id: string }>(
      em,
      `insert into contacts (id, created_at, updated_at, tenant_id, channel_account_id, external_id, phone, name, attributes, tags) ${values.sql} ` +
        'on conflict (channel_account_id, external_id) do nothing returning id',
      values.params,
      { prepared: true },
    );
    return new Set(inserted.map((r) => r.id));
  }

  async list(principal: Principal, query: z.infer<typeof listContactsQuerySchema>): Promise<Page<ContactView>> {
    const and: FilterQuery<Contact>[] = [{ tenantId: principal.tenantId }];
    if (principal.inboxIds !== 'all') and.push({ channelAccount: { $in: [...principal.inboxIds] } });
    if (query.channelAccountId) and.push({ channelAccount: query.channelAccountId });
    if (query.q) {
      and.push({ $or: [containsText('name', query.q), containsText('phone', query.q)] });
    }
    // Exactly as given: imported contacts keep their tags' spelling.
    if (query.tag) and.push(jsonArrayContains(this.kind, 'tags', query.tag));
    if (query.cursor) and.push({ id: { $lt: decodeCursor(query.cursor, idCursorSchema).id } });
    const rows = await this.orm.em.fork().find(Contact, { $and: and }, { orderBy: { id: 'desc' }, limit: query.limit + 1 });
    const items = rows.slice(0, query.limit);
    return { items: items.map(contactView), nextCursor: rows.length > query.limit ? encodeCursor({ id: items.at(-1)!.id }) : null };
  }

  async get(principal: Principal, id: string, em = this.orm.em.fork()): Promise<Contact> {
    const contact = await em.findOne(Contact, { id, tenantId: principal.tenantId });
    if (!contact) throw new ObrolError('NOT_FOUND', 'Contact not found.');
    assertInbox(principal, contact.channelAccount.id, 'Contact');
    return contact;
  }

  /**
   * Edits a contact: name, attributes (merged; null removes one), tags (set, add, remove),
   * opt-in or opt-out. A change is recorded as `contact.updated` and pushed to open contact panels.
   */
  async update(principal: Principal, id: string, input: z.infer<typeof updateContactSchema>): Promise<ContactView> {
    const em = this.orm.em.fork();
    const contact = await this.get(principal, id, em);
    const now = this.clock.now();
    const changed: ContactUpdatedFact['changed'] = [];
    if (input.name !== undefined && (input.name || null) !== contact.name) {
      contact.name = input.name || null;
      changed.push('name');
    }
    if (input.attributes) {
      const attributes = mergeAttributes(contact.attributes, input.attributes);
      if (JSON.stringify(attributes) !== JSON.stringify(contact.attributes)) {
        contact.attributes = attributes;
        changed.push('attributes');
      }
    }
    const tagged = applyTagChange(contact.tags, input);
    if (tagged) {
      contact.tags = tagged.tags;
      changed.push('tags');
    }
    if (input.optedIn === true) {
      contact.optedInAt = now;
      changed.push('optedIn');
    }
    if (input.optedIn === false) {
      Object.assign(contact, { optedOutAt: now, optedOutSource: principal.kind === 'agent' ? 'agent' : 'api', optedOutReason: null });
      changed.push('optedOut');
    }
    const view = contactView(contact);
    if (changed.length > 0) {
      const ref = { contactId: contact.id, channelAccountId: contact.channelAccount.id };
      recordEvent(em, principal.tenantSlug, now, facts.contactUpdated(principal.tenantSlug, { ...ref, changed, contact: view }), liveEvents.contactUpdated(principal.tenantSlug, { ...ref, data: { contact: view } }));
    }
    await em.flush();
    return view;
  }

  /** The contact's conversations (across the caller's inboxes, by phone) and the broadcasts it received. */
  async activity(principal: Principal, id: string): Promise<ContactActivity> {
    const em = this.orm.em.fork();
    const contact = await this.get(principal, id, em);
    const people: FilterQuery<Contact> = contact.phone ? { $or: [{ id: contact.id }, { phone: contact.phone }] } : { id: contact.id };
    const inboxes: FilterQuery<Conversation> = principal.inboxIds === 'all' ? {} : { channelAccount: { $in: [...principal.inboxIds] } };
    const conversations = await em.find(Conversation, { tenantId: principal.tenantId, ...inboxes, contact: people }, { orderBy: { lastMessageAt: 'desc', id: 'desc' }, limit: 50 });
    const sent = await em.find(Message, { conversation: { contact: contact.id }, direction: 'outbound', broadcastId: { $ne: null } }, { orderBy: { id: 'desc' }, limit: 20 });
    return {
      conversations: conversations.map((c) => ({
        id: c.id,
        channelAccountId: c.channelAccount.id,
        contactId: c.contact.id,
        status: c.status,
        lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
        lastMessagePreview: c.lastMessagePreview,
        createdAt: c.createdAt.toISOString(),
      })),
      broadcasts: sent.map((m) => ({
        messageId: m.id,
        broadcastId: m.broadcastId!,
        templateName: m.content.type === 'template' ? m.content.template.name : null,
        status: m.status,
        sentAt: (m.providerTimestamp ?? m.createdAt).toISOString(),
      })),
    };
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
    const rows: { identity: ChannelIdentity; tags: string[]; attributes: Record<string, string> }[] = [];
    records.forEach((record, index) => {
      const { phone, name, tags, ...attributes } = record;
      const parsed = e164.safeParse(phone?.replace(/[\s()-]/g, ''));
      if (!parsed.success) {
        errors.push({ row: index + 2, message: `phone "${phone ?? ''}" ${parsed.error.issues[0]!.message}` });
        return;
      }
      const tagList = (tags ?? '').split(';').map((t) => t.trim()).filter(Boolean);
      rows.push({ identity: { externalId: parsed.data.slice(1), phone: parsed.data, name: name || undefined }, tags: tagList, attributes });
    });
    const found = await this.findOrCreate(em, account, rows.map((r) => r.identity));
    const seen = new Set<string>();
    let created = 0;
    for (const row of rows) {
      const { contact, created: isNew } = found.get(row.identity.externalId)!;
      if (isNew && !seen.has(contact.externalId)) created++;
      seen.add(contact.externalId);
      contact.tags = [...new Set([...contact.tags, ...row.tags])];
      contact.attributes = { ...contact.attributes, ...row.attributes };
    }
    const updated = rows.length - created;
    this.audit.record(em, { tenantId: account.tenantId, actor: actorOf(principal), action: 'contacts.import', targetType: 'channel_account', targetId: account.id, details: { created, updated, refused: errors.length } });
    await em.flush();
    return { created, updated, refused: errors.length, errors: errors.slice(0, 100) };
  }
}
