import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import type { ChannelEvent, InboundMessageEvent, StatusEvent } from '@obrol/contracts';
import { AuditService } from '../audit/audit.service.js';
import { ChannelsService, type ResolvedAccount } from '../channels/channels.service.js';
import { ContactsService, type IngestedContact } from '../contacts/contacts.service.js';
import { ConversationsService, type IngestedConversation } from '../conversations/conversations.service.js';
import { IngestBatch, type IngestedMessage, MessageIngestWriter, ingestedOf } from '../messages/message-ingest.writer.js';
import { MessagesService } from '../messages/messages.service.js';
import { SendAttempts } from '../messages/send-attempts.service.js';
import { OptOutsService } from '../opt-outs/opt-outs.service.js';
import { TemplatesService } from '../templates/templates.service.js';
import { TenantsService } from '../tenants/tenants.service.js';

/** A webhook delivery's events for one channel account. */
export interface Delivery {
  resolved: ResolvedAccount;
  events: ChannelEvent[];
}

/** A delivery ready to apply: everything it needs from outside the transaction is resolved. */
export interface PreparedDelivery extends Delivery {
  tenant: string;
}

/** Per delivery, the status events whose message is not in the store (yet): the caller keeps them. */
export type UnmatchedStatuses = Map<PreparedDelivery, StatusEvent[]>;

/**
 * Applies webhook deliveries by calling the features that own the rows: `contacts` finds or
 * creates the customer, `conversations` records the message and moves the window, `messages`
 * applies delivery statuses, `templates` applies template changes, `audit` keeps account
 * events. Works only through the transaction it is given (after `prepare`, it needs no other
 * connection), and looks rows up once per batch.
 */
@Injectable()
export class InboundOrchestrator {
  private readonly logger = new Logger('InboundOrchestrator');

  constructor(
    private readonly tenants: TenantsService,
    private readonly contacts: ContactsService,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly templates: TemplatesService,
    private readonly audit: AuditService,
    private readonly sendAttempts: SendAttempts,
    private readonly ingest: MessageIngestWriter,
    private readonly optOuts: OptOutsService,
    private readonly channels: ChannelsService,
  ) {}

  /** Resolves, outside any transaction, what applying needs (the tenant's subject token). */
  async prepare(deliveries: Delivery[]): Promise<PreparedDelivery[]> {
    return Promise.all(deliveries.map(async (d) => ({ ...d, tenant: await this.tenants.slugOf(d.resolved.account.tenantId) })));
  }

  /**
   * Applies the deliveries in `em`'s transaction; returns the statuses it could not match.
   * The customers' contacts and conversations are found or created with set-based statements
   * as plain rows (ADR 0037); the messages, their statuses, the conversations' changes and the
   * outbox rows are collected in an `IngestBatch` and written at the end the same way
   * (`MessageIngestWriter`, ADR 0017). Templates, opt-outs and audit (rare) go through the unit
   * of work.
   */
  async apply(em: EntityManager, deliveries: PreparedDelivery[], now: Date): Promise<UnmatchedStatuses> {
    const unmatched: UnmatchedStatuses = new Map();
    const batch = new IngestBatch();
    const byAccount = new Map<string, PreparedDelivery[]>();
    for (const d of deliveries) {
      const group = byAccount.get(d.resolved.account.id);
      if (group) group.push(d);
      else byAccount.set(d.resolved.account.id, [d]);
    }
    // In account order, so transactions that lock the same messages (PostgreSQL) take them in one order.
    for (const [accountId, group] of [...byAccount].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const resolved = group[0]!.resolved;
      // Inbound messages in provider time order, so the window ends up at the latest one.
      const ordered = group.map((d) => ({ delivery: d, tenant: d.tenant, events: [...d.events].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime()) }));
      const all = ordered.flatMap((d) => d.events);
      const messages = await this.ingest.findByExternalIds(em, accountId, all.flatMap((e) => (e.kind === 'inbound_message' || e.kind === 'status' ? [e.externalId] : [])));
      const fresh = all.filter((e): e is InboundMessageEvent => e.kind === 'inbound_message' && !messages.has(e.externalId));
      const contacts = fresh.length > 0 ? await this.contacts.findOrCreateRows(em, resolved.account, fresh.map((e) => e.from)) : new Map<string, IngestedContact>();
      const conversations = contacts.size > 0 ? await this.conversations.findOrCreateRows(em, resolved, [...contacts.values()]) : new Map<string, IngestedConversation>();
      for (const { delivery, tenant, events } of ordered) {
        const missing: StatusEvent[] = [];
        for (const event of events) {
          const context = { em, batch, tenant, now, resolved, messages, contacts, conversations };
          if (event.kind === 'status' && !messages.has(event.externalId)) {
            // Echoes our id: settles a send whose outcome was never recorded (messages/send-attempts.service.ts).
            const settled = event.messageId ? await this.sendAttempts.settleFromStatus(em, accountId, event) : null;
            if (settled === 'another-copy') continue;
            if (!settled) {
              missing.push(event);
              continue;
            }
            messages.set(event.externalId, ingestedOf(settled));
          }
          await this.applyEvent(context, event);
        }
        if (missing.length > 0) unmatched.set(delivery, missing);
      }
    }
    // What went through the unit of work first (a marketing preference may create a contact).
    await em.flush();
    await this.ingest.write(em, batch);
    return unmatched;
  }

  private async applyEvent(
    c: {
      em: EntityManager;
      batch: IngestBatch;
      tenant: string;
      now: Date;
      resolved: ResolvedAccount;
      messages: Map<string, IngestedMessage>;
      contacts: Map<string, IngestedContact>;
      conversations: Map<string, IngestedConversation>;
    },
    event: ChannelEvent,
  ): Promise<void> {
    const { account } = c.resolved;
    switch (event.kind) {
      case 'inbound_message': {
        if (c.messages.has(event.externalId)) return;
        const contact = c.contacts.get(event.from.externalId)!;
        const message = this.conversations.recordInbound(c.batch, c.tenant, c.now, c.resolved, c.conversations.get(contact.id)!, event);
        c.messages.set(event.externalId, message);
        return;
      }
      case 'status':
        return this.messages.applyProviderStatus(c.batch, c.tenant, c.now, c.messages.get(event.externalId)!, event);
      case 'template_status':
        return this.templates.applyProviderStatus(c.em, c.tenant, c.now, account.id, event);
      case 'marketing_preference': {
        const contact = (await this.contacts.findOrCreate(c.em, account, [event.from])).get(event.from.externalId)!.contact;
        if (event.preference === 'stop') this.optOuts.optOut(c.em, contact, 'meta', event.detail, 'system');
        else this.optOuts.optIn(c.em, contact, 'system');
        return;
      }
      case 'account_event':
        this.logger.warn(`channel account ${account.id}: ${event.event}: ${event.description}`);
        this.audit.record(c.em, {
          tenantId: account.tenantId,
          actor: 'system',
          action: `channel.${event.event}`,
          targetType: 'channel_account',
          targetId: account.id,
          details: { description: event.description, error: event.error ?? null },
        });
        // Kept on the number, where sends are refused and the apps say why; a restriction and its
        // lifting are also facts: features act on them (a broadcast pauses before its first send
        // is refused, and resumes once it may send again), and back-end systems can subscribe to them.
        if (event.restriction) await this.channels.applyRestriction(c.em, c.tenant, c.now, account.id, { restriction: event.restriction, description: event.description, timestamp: event.timestamp });
    }
  }
}
