import { Inject, Injectable, Logger } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type ChannelError, type Clock, commands, facts, liveEvents } from '@obrol/contracts';
import { CLOCK } from '../clock/clock.token.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { recordEvent } from '../outbox/outbox.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { Every } from '../work/declared-work.js';
import { applyStatus } from './message-status.js';
import { Message } from './message.entity.js';
import { messageView } from './message.view.js';
import { decideInDoubt } from './send-attempt.policy.js';
import { MAX_SEND_ATTEMPTS } from './single-send.handler.js';

/** How long an in-doubt send waits for a status echoing our id before it is sent again. */
export const DEFAULT_SEND_IN_DOUBT_GRACE_MS = 10 * 60 * 1000;
const BATCH = 100;

const UNCONFIRMED: ChannelError = {
  code: 'CHANNEL_ERROR',
  message: 'Obrol could not confirm that the provider received this message and has no attempts left; check the conversation before sending it again.',
  retryable: false,
};

/**
 * Resolves sends left in doubt by a crash (an attempt opened, its outcome never recorded):
 * a status echoing our id settles one as it arrives (`SendAttempts.settleFromStatus`); one
 * with no such evidence for the grace period is presumed lost and queued again, once. Runs
 * on processes that send (not `api`).
 */
@Injectable()
export class InDoubtSendReconciler {
  private readonly logger = new Logger('InDoubtSendReconciler');
  private readonly graceMs: number;

  constructor(
    private readonly orm: MikroORM,
    private readonly tenants: TenantsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    this.graceMs = options.sendInDoubtGraceMs ?? DEFAULT_SEND_IN_DOUBT_GRACE_MS;
  }

  /** A tenth of the grace period, so a resend comes at most about 10% late. */
  get pollMs(): number {
    return Math.min(30_000, Math.max(1_000, this.graceMs / 10));
  }

  /** One pass: queues again (or gives up on) in-doubt sends whose grace period has passed. Returns how many it looked at. */
  @Every<InDoubtSendReconciler>({ name: 'reconciling in-doubt sends', intervalMs: (owner) => owner.pollMs, runAtStart: true })
  async reconcile(): Promise<number> {
    const now = this.clock.now();
    const em = this.orm.em.fork();
    const open = await em.find(
      Message,
      { status: 'queued', direction: 'outbound', sendStartedAt: { $lte: new Date(now.getTime() - this.graceMs) } },
      { populate: ['channelAccount', 'conversation', 'conversation.contact'], orderBy: { sendStartedAt: 'asc' }, limit: BATCH },
    );
    for (const message of open) {
      const decision = decideInDoubt({ startedAt: message.sendStartedAt!, attempts: message.sendAttempts }, now, this.graceMs, MAX_SEND_ATTEMPTS);
      if (decision === 'wait') continue;
      // Outside the transaction: SQLite has one connection, and the lookup may need it.
      const tenant = await this.tenants.slugOf(message.tenantId);
      const released = await em.transactional(async (tx) => {
        const closed = await tx.nativeUpdate(Message, { id: message.id, status: 'queued', sendAttempts: message.sendAttempts, sendStartedAt: { $ne: null } }, { sendStartedAt: null });
        if (closed === 0) return false;
        // Keep the loaded row in step, so the flush that ends the transaction cannot write it back.
        message.sendStartedAt = null;
        const ref = { conversationId: message.conversation.id, channelAccountId: message.channelAccount.id };
        if (decision === 'resend') {
          recordEvent(tx, tenant, now, commands.send(tenant, message.channelAccount.pluginId, { messageId: message.id, ...ref, attempt: message.sendAttempts + 1 }));
          return true;
        }
        applyStatus(message, 'failed', UNCONFIRMED);
        const view = messageView(message);
        recordEvent(
          tx,
          tenant,
          now,
          facts.messageStatus(tenant, { ...ref, contactId: message.conversation.contact.id, message: view }),
          liveEvents.messageUpdated(tenant, { ...ref, data: { message: view } }),
        );
        return true;
      });
      if (!released) continue;
      if (decision === 'resend') this.logger.warn(`no evidence that message ${message.id} reached the provider within ${this.graceMs} ms of attempt ${message.sendAttempts}; sending it again`);
      else this.logger.error(`message ${message.id}: outcome of its last send attempt unknown, no attempts left; marked failed`);
    }
    return open.length;
  }
}
