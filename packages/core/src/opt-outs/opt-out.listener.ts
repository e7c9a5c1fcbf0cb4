import { Inject, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { MikroORM } from '@mikro-orm/core';
import { type FactMap, ObrolError } from '@obrol/contracts';
import { systemPrincipal } from '../auth/principal.js';
import { Contact } from '../contacts/contact.entity.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { MessagesService } from '../messages/messages.service.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { OptOutsService } from './opt-outs.service.js';
import { DEFAULT_OPT_IN_REPLY, DEFAULT_OPT_OUT_REPLY, DEFAULT_START_KEYWORDS, DEFAULT_STOP_KEYWORDS, optOutRequestOf } from './stop-keywords.js';

/**
 * A customer who writes a stop keyword (or taps a quick reply titled with one) is opted out on
 * their contact and told so once; a start keyword undoes it. Broadcasts suppress opted-out contacts.
 */
@Injectable()
export class OptOutListener {
  private readonly logger = new Logger('OptOuts');
  private readonly keywords: { stop: string[]; start: string[] };
  private readonly replies: { stop: string; start: string };

  constructor(
    private readonly orm: MikroORM,
    private readonly optOuts: OptOutsService,
    private readonly messages: MessagesService,
    private readonly tenants: TenantsService,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    this.keywords = { stop: options.optOut?.stopKeywords ?? DEFAULT_STOP_KEYWORDS, start: options.optOut?.startKeywords ?? DEFAULT_START_KEYWORDS };
    this.replies = { stop: options.optOut?.optOutReply ?? DEFAULT_OPT_OUT_REPLY, start: options.optOut?.optInReply ?? DEFAULT_OPT_IN_REPLY };
  }

  @OnEvent('message.received')
  async onMessage(event: FactMap['message.received']): Promise<void> {
    const content = event.message.content;
    const text = content.type === 'text' ? content.text : content.type === 'interactive_reply' ? content.reply.title : undefined;
    const request = optOutRequestOf(text, this.keywords);
    if (!request) return;
    const em = this.orm.em.fork();
    // The envelope's tenantId is the tenant's subject token (slug); the contact carries the id.
    const contact = await em.findOne(Contact, event.contactId);
    if (!contact) return;
    const actor = `contact:${contact.id}`;
    const changed = request === 'stop' ? this.optOuts.optOut(em, contact, content.type === 'text' ? 'keyword' : 'button', text!.trim().slice(0, 500), actor) : this.optOuts.optIn(em, contact, actor);
    if (!changed) return;
    await em.flush();
    this.logger.log(`contact ${contact.id} opted ${request === 'stop' ? 'out' : 'back in'}`);
    await this.confirm(event, contact.tenantId, this.replies[request]);
  }

  /** The confirmation goes out as the business, through the normal send path; only the first stop or start of a run gets one. */
  private async confirm(event: FactMap['message.received'], tenantId: string, text: string): Promise<void> {
    if (!text) return;
    const tenant = { id: tenantId, slug: await this.tenants.slugOf(tenantId) };
    try {
      await this.messages.sendToConversation(systemPrincipal(tenant), event.conversationId, { content: { type: 'text', text } });
    } catch (error) {
      // The customer just wrote, so the window is open; a deactivated account is the one way to land here.
      if (!(error instanceof ObrolError)) throw error;
      this.logger.warn(`no opt-out confirmation for contact ${event.contactId}: ${error.message}`);
    }
  }
}
