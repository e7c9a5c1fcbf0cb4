import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, type FilterQuery, MikroORM } from '@mikro-orm/core';
import { type Clock, ObrolError } from '@obrol/contracts';
import { z } from 'zod';
import { AuditService } from '../audit/audit.service.js';
import { type Principal, actorOf, assertInbox } from '../auth/principal.js';
import { ChannelsService } from '../channels/channels.service.js';
import { CLOCK } from '../clock/clock.token.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { databaseKindOf } from '../database/orm-config.js';
import { Contact } from '../contacts/contact.entity.js';
import { ContactsService } from '../contacts/contacts.service.js';
import { type Page, decodeCursor, encodeCursor, pageQuerySchema, timeCursorSchema } from '../http/pagination.js';

export const OPT_OUT_SOURCES = ['keyword', 'button', 'meta', 'agent', 'api'] as const;
export type OptOutSource = (typeof OPT_OUT_SOURCES)[number];

const e164 = z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number like +6281234567890');

export const listOptOutsQuerySchema = pageQuerySchema.extend({
  channelAccountId: z.string().max(36).optional(),
  /** A name, or a phone number in E.164 (+6281…) or local (0812…) form. */
  q: z.string().trim().min(1).max(200).optional(),
});

export const addOptOutSchema = z.union([
  z.object({ channelAccountId: z.string().min(1).max(36), phone: e164, reason: z.string().trim().max(500).optional() }).strict(),
  z.object({ contactId: z.string().min(1).max(36), reason: z.string().trim().max(500).optional() }).strict(),
]);

export const optOutViewSchema = z.object({
  contactId: z.string(),
  channelAccountId: z.string(),
  phone: z.string().nullable(),
  name: z.string().nullable(),
  optedOutAt: z.iso.datetime(),
  source: z.enum(OPT_OUT_SOURCES).nullable().describe('null for opt-outs recorded before sources were kept'),
  reason: z.string().nullable(),
});
export type OptOutView = z.infer<typeof optOutViewSchema>;

export const optOutView = (c: Contact): OptOutView => ({
  contactId: c.id,
  channelAccountId: c.channelAccount.id,
  phone: c.phone,
  name: c.name,
  optedOutAt: c.optedOutAt!.toISOString(),
  source: c.optedOutSource as OptOutSource | null,
  reason: c.optedOutReason,
});

const EXPORT_BATCH = 1000;

/**
 * The opt-out register of a tenant: opted-out contacts, with when, how and why. Customers' stop
 * keywords and buttons, Meta's marketing opt-outs, agents and the API all change it through
 * `optOut` / `optIn`, so every way in leaves the same record and audit entry.
 */
@Injectable()
export class OptOutsService {
  /** Names match in any case: PostgreSQL's LIKE is case-sensitive, SQLite's is not (and it has no ILIKE). */
  private readonly caseless: '$ilike' | '$like';

  constructor(
    private readonly orm: MikroORM,
    private readonly contacts: ContactsService,
    private readonly channels: ChannelsService,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    this.caseless = databaseKindOf(options.database.url) === 'postgresql' ? '$ilike' : '$like';
  }

  /** Opts the contact out in the caller's unit of work; false when they already were. */
  optOut(em: EntityManager, contact: Contact, source: OptOutSource, reason: string | null, actor: string): boolean {
    if (contact.optedOutAt) return false;
    Object.assign(contact, { optedOutAt: this.clock.now(), optedOutSource: source, optedOutReason: reason || null });
    this.audit.record(em, { tenantId: contact.tenantId, actor, action: 'opt_out.added', targetType: 'contact', targetId: contact.id, details: { source, reason: reason || null } });
    return true;
  }

  /** Opts the contact back in; false when they were not opted out. */
  optIn(em: EntityManager, contact: Contact, actor: string): boolean {
    if (!contact.optedOutAt) return false;
    const was = { source: contact.optedOutSource, optedOutAt: contact.optedOutAt.toISOString() };
    Object.assign(contact, { optedOutAt: null, optedOutSource: null, optedOutReason: null, optedInAt: this.clock.now() });
    this.audit.record(em, { tenantId: contact.tenantId, actor, action: 'opt_out.removed', targetType: 'contact', targetId: contact.id, details: was });
    return true;
  }

  async list(principal: Principal, query: z.infer<typeof listOptOutsQuerySchema>): Promise<Page<OptOutView>> {
    const and = this.filter(principal, query);
    if (query.cursor) {
      const { t, id } = decodeCursor(query.cursor, timeCursorSchema);
      const at = new Date(t ?? 0);
      and.push({ $or: [{ optedOutAt: { $lt: at } }, { optedOutAt: at, id: { $lt: id } }] });
    }
    const rows = await this.orm.em.fork().find(Contact, { $and: and }, { orderBy: [{ optedOutAt: 'desc' }, { id: 'desc' }], limit: query.limit + 1 });
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return { items: items.map(optOutView), nextCursor: rows.length > query.limit && last ? encodeCursor({ t: last.optedOutAt!.toISOString(), id: last.id }) : null };
  }

  async add(principal: Principal, input: z.infer<typeof addOptOutSchema>): Promise<{ optOut: OptOutView; created: boolean }> {
    const source: OptOutSource = principal.kind === 'agent' ? 'agent' : 'api';
    // Read the account before the transaction: SQLite has one connection, which the transaction holds.
    const account = 'channelAccountId' in input ? await this.channels.get(principal, input.channelAccountId) : null;
    return this.orm.em.fork().transactional(async (em) => {
      let contact: Contact;
      if ('contactId' in input) {
        contact = await this.contacts.get(principal, input.contactId, em);
      } else {
        const externalId = input.phone.slice(1);
        contact = (await this.contacts.findOrCreate(em, { id: account!.id, tenantId: principal.tenantId }, [{ externalId, phone: input.phone }])).get(externalId)!.contact;
      }
      const created = this.optOut(em, contact, source, input.reason ?? null, actorOf(principal));
      await em.flush();
      return { optOut: optOutView(contact), created };
    });
  }

  async remove(principal: Principal, contactId: string): Promise<void> {
    if (principal.role === 'agent') throw new ObrolError('FORBIDDEN', 'Only an admin or a marketer may opt a customer back in.');
    const em = this.orm.em.fork();
    const contact = await this.contacts.get(principal, contactId, em);
    if (!this.optIn(em, contact, actorOf(principal))) throw new ObrolError('NOT_FOUND', 'This contact is not opted out.');
    await em.flush();
  }

  /** Every opted-out contact the caller may see, newest first, read in batches so memory stays flat. */
  async *exportRows(principal: Principal, query: Pick<z.infer<typeof listOptOutsQuerySchema>, 'channelAccountId' | 'q'>): AsyncGenerator<OptOutView> {
    let cursor: string | undefined;
    do {
      const page = await this.list(principal, { ...query, limit: EXPORT_BATCH, cursor });
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  private filter(principal: Principal, query: Pick<z.infer<typeof listOptOutsQuerySchema>, 'channelAccountId' | 'q'>): FilterQuery<Contact>[] {
    const and: FilterQuery<Contact>[] = [{ tenantId: principal.tenantId }, { optedOutAt: { $ne: null } }];
    if (principal.inboxIds !== 'all') and.push({ channelAccount: { $in: [...principal.inboxIds] } });
    if (query.channelAccountId) {
      assertInbox(principal, query.channelAccountId, 'Channel account');
      and.push({ channelAccount: query.channelAccountId });
    }
    if (query.q) {
      const escape = (text: string) => text.replace(/[%_\\]/g, (c) => `\\${c}`);
      const or: FilterQuery<Contact>[] = [{ name: { [this.caseless]: `%${escape(query.q)}%` } }];
      // A number typed the local way (0812 3456 7890) matches +62 812 3456 7890: compare the
      // digits after the trunk zero, whatever the country code.
      if (/^\+?[\d\s().-]{3,}$/.test(query.q)) or.push({ phone: { $like: `%${query.q.replace(/\D/g, '').replace(/^0+/, '')}%` } });
      and.push({ $or: or });
    }
    return and;
  }
}
