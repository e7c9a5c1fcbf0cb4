import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import type { Clock } from '@obrol/contracts';
import { AuditLog } from '../audit/audit-log.entity.js';
import { CLOCK } from '../clock/clock.token.js';
import { Every } from '../work/declared-work.js';
import { ChannelAccount } from './channel-account.entity.js';
import { ChannelsService } from './channels.service.js';

const MINUTE = 60 * 1000;
/** Providers move a number between tiers on their own (Meta: within 6 hours): look again this often. */
export const RECHECK_AFTER_MS = 6 * 60 * MINUTE;
/**
 * Account events (audit actions, `channel.<event>`) after which what the provider's check says
 * may have changed: Meta's messaging tier (`business_capability_update`), throughput and quality
 * (`phone_number_quality_update`), and the account's standing (`account_update`).
 */
export const CHECK_CHANGING_EVENTS = ['channel.business_capability_update', 'channel.phone_number_quality_update', 'channel.account_update'];

/**
 * Keeps each active account's last check (its health, and the facts features read from it, such
 * as the messaging tier that bounds a broadcast's daily sends) current: an account is checked
 * again soon after the provider announces a change by webhook, and every six hours in any case.
 * The webhook is taken as a signal only; the value comes from the provider's API, whose answer
 * is authoritative.
 */
@Injectable()
export class AccountRecheckJob {
  /** Per account, the newest announcement (audit entry id) its recheck took into account. */
  private readonly handled = new Map<string, string>();

  constructor(
    private readonly orm: MikroORM,
    private readonly channels: ChannelsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Every({ name: 'channel account rechecks', intervalMs: 30_000 })
  async recheckDue(): Promise<number> {
    let rechecked = 0;
    for (const { id, announcement } of await this.due()) {
      if (!(await this.channels.refreshCheck(id))) continue;
      rechecked++;
      if (announcement) this.handled.set(id, announcement);
    }
    return rechecked;
  }

  /**
   * Accounts whose check is older than six hours, or that the provider announced a change for
   * since (an audit entry newer than the last one handled here, or than the check itself).
   */
  async due(): Promise<{ id: string; announcement: string | null }[]> {
    const em = this.orm.em.fork();
    const now = this.clock.now().getTime();
    const accounts = await em.find(ChannelAccount, { active: true }, { fields: ['tenantId', 'lastCheck'], orderBy: { id: 'asc' }, limit: 500 });
    const due: { id: string; announcement: string | null }[] = [];
    for (const account of accounts) {
      const checkedAt = account.lastCheck ? Date.parse(account.lastCheck.checkedAt) : Number.NaN;
      if (!Number.isFinite(checkedAt)) continue;
      const handled = this.handled.get(account.id);
      const [latest] = await em.find(
        AuditLog,
        {
          tenantId: account.tenantId,
          targetType: 'channel_account',
          targetId: account.id,
          // Audit ids grow with time (UUIDv7), so "newer than the one handled" needs no clock.
          ...(handled ? { id: { $gt: handled } } : { createdAt: { $gt: new Date(checkedAt) } }),
          $or: CHECK_CHANGING_EVENTS.map((action) => ({ action: { $like: `${action}%` } })),
        },
        { fields: ['id'], orderBy: { id: 'desc' }, limit: 1 },
      );
      if (latest || now - checkedAt >= RECHECK_AFTER_MS) due.push({ id: account.id, announcement: latest?.id ?? null });
    }
    return due;
  }
}
