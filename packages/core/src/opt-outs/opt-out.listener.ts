import { Inject, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { MikroORM } from '@mikro-orm/core';
import type { Clock, FactMap } from '@obrol/contracts';
import { CLOCK } from '../clock/clock.token.js';
import { Contact } from '../contacts/contact.entity.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { DEFAULT_START_KEYWORDS, DEFAULT_STOP_KEYWORDS, optOutRequestOf } from './stop-keywords.js';

/**
 * A customer who writes a stop keyword (or taps a quick reply titled with one) is opted out on
 * their contact; a start keyword undoes it. Broadcasts suppress opted-out contacts.
 */
@Injectable()
export class OptOutListener {
  private readonly logger = new Logger('OptOuts');
  private readonly keywords: { stop: string[]; start: string[] };

  constructor(
    private readonly orm: MikroORM,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    this.keywords = { stop: options.optOut?.stopKeywords ?? DEFAULT_STOP_KEYWORDS, start: options.optOut?.startKeywords ?? DEFAULT_START_KEYWORDS };
  }

  @OnEvent('message.received')
  async onMessage(event: FactMap['message.received']): Promise<void> {
    const content = event.message.content;
    const text = content.type === 'text' ? content.text : content.type === 'interactive_reply' ? content.reply.title : undefined;
    const request = optOutRequestOf(text, this.keywords);
    if (!request) return;
    const em = this.orm.em.fork();
    const changed = request === 'stop'
      ? await em.nativeUpdate(Contact, { id: event.contactId, optedOutAt: null }, { optedOutAt: this.clock.now() })
      : await em.nativeUpdate(Contact, { id: event.contactId, optedOutAt: { $ne: null } }, { optedOutAt: null, optedInAt: this.clock.now() });
    if (changed) this.logger.log(`contact ${event.contactId} opted ${request === 'stop' ? 'out' : 'back in'}`);
  }
}
