import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type ChannelError, type Clock, subjects } from '@obrol/contracts';
import { BackgroundLoop } from '../app/background-loop.js';
import { CLOCK } from '../clock/clock.token.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { recordEvent } from '../outbox/outbox.js';
import { OutboxRelay } from '../outbox/outbox.relay.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { applyStatus } from './message-status.js';
import { Message } from './message.entity.js';
import { messageView } from './message.view.js';
import { decideInDoubt } from './send-attempt.policy.js';
import { MAX_SEND_ATTEMPTS } from './send.consumer.js';

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
export class InDoubtSendReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('InDoubtSendReconciler');
  private readonly loop = new BackgroundLoop('reconciling in-doubt sends', () => this.reconcile(), BATCH, this.logger);
  private readonly graceMs: number;

  constructor(
    private readonly orm: MikroORM,
    private readonly tenants: TenantsService,
    private readonly relay: OutboxRelay,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) private readonly options: CoreOptions,
  ) {
    this.graceMs = options.sendInDoubtGraceMs ?? DEFAULT_SEND_IN_DOUBT_GRACE_MS;
  }

  onApplicationBootstrap(): void {
    if (this.options.role === 'api') return;
    // A tenth of the grace period, so a resend comes at most about 10% late.
    this.loop.start(Math.min(30_000, Math.max(1_000, this.graceMs / 10)));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass: queues again (or gives up on) in-doubt sends whose grace period has passed. Returns how many it looked at. */
  async reconcile(): Promise<number> {
    const now = this.clock.now();
    const em = this.orm.em.fork();
    const open = await em.find(
      Message,
      { status: 'queued', direction: 'outbound', sendStartedAt: { $lte: new Date(now.getTime() - this.graceMs) } },
      { populate: ['channelAccount', 'conversation', 'conversation.contact'], orderBy: { sendStartedAt: 'asc' }, limit: BATCH },
    );
    let requeued = 0;
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
          recordEvent(tx, subjects.send(tenant, message.channelAccount.pluginId), tenant, now, { messageId: message.id, ...ref, attempt: message.sendAttempts + 1 });
          return true;
        }
        applyStatus(message, 'failed', UNCONFIRMED);
        const view = messageView(message);
        recordEvent(tx, subjects.messageStatus(tenant), tenant, now, { ...ref, contactId: message.conversation.contact.id, message: view }, {
          subject: subjects.live(tenant, 'message', 'updated'),
          data: { type: 'message.updated', ...ref, data: { message: view } },
        });
        return true;
      });
      if (!released) continue;
      requeued += 1;
      if (decision === 'resend') this.logger.warn(`no evidence that message ${message.id} reached the provider within ${this.graceMs} ms of attempt ${message.sendAttempts}; sending it again`);
      else this.logger.error(`message ${message.id}: outcome of its last send attempt unknown, no attempts left; marked failed`);
    }
    if (requeued > 0) this.relay.kick();
    return open.length;
  }
}
