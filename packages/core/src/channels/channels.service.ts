import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type EntityManager, type EventSubscriber, LockMode, MikroORM, type Transaction, type TransactionEventArgs } from '@mikro-orm/core';
import {
  type AccountCheck,
  type AccountRestriction,
  type ChannelAccountView,
  type ChannelContext,
  type ChannelPlugin,
  type Clock,
  ObrolError,
  facts,
  liveEvents,
  restrictionInForce,
} from '@obrol/contracts';
import { z } from 'zod';
import { AuditService } from '../audit/audit.service.js';
import { type Principal, actorOf, assertAdmin, assertInbox } from '../auth/principal.js';
import { CLOCK } from '../clock/clock.token.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { databaseKindOf } from '../database/orm-config.js';
import { fieldProblems } from '../http/zod-validation.pipe.js';
import { recordEvent, recordLive } from '../outbox/outbox.js';
import { ChannelRegistry } from '../plugin/channel-registry.js';
import { type AccountCheckRecord, ChannelAccount } from './channel-account.entity.js';
import { type ChannelRestrictionRecord, isNewer, restrictionRecord } from './channel-restriction.js';
import { SecretBox } from './secret-box.js';

export const createChannelSchema = z.object({
  plugin: z.string().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  config: z.record(z.string(), z.unknown()),
});
export const updateChannelSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  /** Merged into the current config; omitted secret fields keep their value. */
  config: z.record(z.string(), z.unknown()).optional(),
  active: z.boolean().optional(),
  /** Round-robin new and reopened conversations to the inbox's online agents. */
  autoAssign: z.boolean().optional(),
  /** Unresolved conversations an agent may hold before auto-assignment passes them over. */
  autoAssignLimit: z.number().int().min(1).max(1000).optional(),
});

export const checkChannelSchema = z.object({ config: z.record(z.string(), z.unknown()) });

export const accountCheckViewSchema = z.object({
  externalId: z.string().nullable(),
  displayName: z.string().nullable(),
  displayPhoneNumber: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export { type ChannelAccountView, channelAccountViewSchema, channelCapabilitiesSchema } from '@obrol/contracts';

const WEBHOOK_TOUCH_MS = 60_000;

const recordOf = (check: AccountCheck | null, at: Date): AccountCheckRecord => ({
  checkedAt: at.toISOString(),
  ...(check?.displayName ? { displayName: check.displayName } : {}),
  ...(check?.displayPhoneNumber ? { displayPhoneNumber: check.displayPhoneNumber } : {}),
  details: check?.details ?? {},
});

/** A channel account with its plugin and decrypted context, ready to use. */
export interface ResolvedAccount {
  account: ChannelAccount;
  plugin: ChannelPlugin<unknown>;
  context: ChannelContext<unknown>;
}

const CACHE_MS = 5_000;

/** Channel accounts (inboxes): create with the plugin's schema and credential check, secrets sealed. */
@Injectable()
export class ChannelsService implements EventSubscriber, OnModuleInit {
  private readonly logger = new Logger('ChannelsService');
  private readonly box: SecretBox;
  private readonly cache = new Map<string, { at: number; resolved: ResolvedAccount }>();
  /** Moves whenever an account is forgotten: a resolve that read the row meanwhile does not keep it. */
  private forgotten = 0;
  /** Accounts changed in a transaction not yet committed: forgotten again once it is. */
  private readonly uncommitted = new WeakMap<Transaction, Set<string>>();
  private readonly webhookTouched = new Map<string, number>();
  private readonly lock: { lockMode?: LockMode.PESSIMISTIC_WRITE };
  private readonly shareLock: { lockMode?: LockMode.PESSIMISTIC_READ };

  constructor(
    private readonly orm: MikroORM,
    private readonly registry: ChannelRegistry,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) private readonly options: CoreOptions,
  ) {
    this.box = new SecretBox(options.secretKey);
    // Two ingest transactions at once on PostgreSQL; SQLite has one writer and no row locks.
    const sqlite = databaseKindOf(options.database.url) === 'sqlite';
    this.lock = sqlite ? {} : { lockMode: LockMode.PESSIMISTIC_WRITE };
    this.shareLock = sqlite ? {} : { lockMode: LockMode.PESSIMISTIC_READ };
  }

  onModuleInit(): void {
    this.orm.em.getEventManager().registerSubscriber(this);
  }

  afterTransactionCommit({ transaction }: TransactionEventArgs): void {
    const ids = transaction && this.uncommitted.get(transaction);
    if (!ids) return;
    this.uncommitted.delete(transaction);
    for (const id of ids) this.forget(id);
  }

  /** The next resolve of the account reads it anew (this process; others once its `updatedAt` moved). */
  private forget(id: string): void {
    this.cache.delete(id);
    this.forgotten++;
  }

  view(account: ChannelAccount, now: Date = this.clock.now()): ChannelAccountView {
    const plugin = this.registry.has(account.pluginId) ? this.registry.get(account.pluginId) : null;
    const secretFields = new Set<string>(plugin?.secretFields ?? []);
    const config = Object.fromEntries(
      Object.entries(account.config).filter(([k, v]) => !secretFields.has(k) && !(typeof v === 'object' && v !== null && '$enc' in v)),
    );
    return {
      id: account.id,
      plugin: account.pluginId,
      name: account.name,
      active: account.active,
      externalId: account.externalId,
      config,
      secretsSet: [...secretFields].filter((f) => account.config[f] !== undefined),
      webhookUrl: `${this.options.publicUrl.replace(/\/$/, '')}/webhooks/${account.pluginId}/${account.id}`,
      capabilities: plugin?.capabilities ?? null,
      mediaLimits: plugin?.media ? { maxBytes: { ...plugin.media.maxBytes }, mimeTypes: Object.fromEntries(Object.entries(plugin.media.mimeTypes).map(([k, v]) => [k, [...(v ?? [])]])) } : null,
      autoAssign: account.autoAssign,
      autoAssignLimit: account.autoAssignLimit,
      health: {
        lastWebhookAt: account.lastWebhookAt?.toISOString() ?? null,
        checkedAt: account.lastCheck?.checkedAt ?? null,
        displayName: account.lastCheck?.displayName ?? null,
        displayPhoneNumber: account.lastCheck?.displayPhoneNumber ?? null,
        details: account.lastCheck?.details ?? {},
      },
      restriction: restrictionInForce(account.restriction, now),
      createdAt: account.createdAt.toISOString(),
    };
  }

  private parseConfig(plugin: ChannelPlugin<unknown>, config: unknown): Record<string, unknown> {
    const parsed = plugin.configSchema.safeParse(config);
    if (!parsed.success) {
      const problems = fieldProblems(parsed.error, 'config');
      throw new ObrolError(
        'CHANNEL_CONFIG_INVALID',
        `The ${plugin.displayName} configuration is invalid: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
        { problems },
      );
    }
    return parsed.data as Record<string, unknown>;
  }

  /** Asks the plugin to check the credentials; null when the plugin has no check. */
  private async check(plugin: ChannelPlugin<unknown>, context: ChannelContext<unknown>): Promise<AccountCheck | null> {
    if (!plugin.checkAccount) return null;
    const result = await plugin.checkAccount(context);
    if (!result.ok) {
      throw new ObrolError(result.error.code === 'CHANNEL_UNAVAILABLE' ? 'CHANNEL_UNAVAILABLE' : 'CHANNEL_AUTH_FAILED', result.error.message, {
        providerCode: result.error.providerCode,
        providerMessage: result.error.providerMessage,
      });
    }
    return result.value;
  }

  /** "Test connection": validates a draft configuration and checks it with the provider, saving nothing. */
  async checkDraft(principal: Principal, pluginId: string, config: Record<string, unknown>): Promise<z.infer<typeof accountCheckViewSchema>> {
    assertAdmin(principal);
    const plugin = this.registry.get(pluginId);
    const parsed = this.parseConfig(plugin, config);
    const draft = { id: 'draft', tenantId: principal.tenantId } as ChannelAccount;
    const check = await this.check(plugin, this.contextOf(draft, plugin, parsed));
    return { externalId: check?.externalId ?? null, displayName: check?.displayName ?? null, displayPhoneNumber: check?.displayPhoneNumber ?? null, details: check?.details ?? {} };
  }

  /** Checks a connected account's credentials again and keeps what the provider said (health). */
  async recheck(principal: Principal, id: string): Promise<ChannelAccount> {
    assertAdmin(principal);
    const em = this.orm.em.fork();
    const account = await this.find(em, principal, id);
    const plugin = this.registry.get(account.pluginId);
    const check = await this.check(plugin, this.contextOf(account, plugin, plugin.configSchema.parse(this.box.openFields(account.config))));
    account.lastCheck = recordOf(check, this.clock.now());
    await em.flush();
    return account;
  }

  /**
   * Checks an account again without a principal (the recheck job): keeps what the provider says
   * now. A failed check leaves the last good one in place and is logged; returns whether it worked.
   */
  async refreshCheck(id: string): Promise<boolean> {
    const em = this.orm.em.fork();
    const account = await em.findOne(ChannelAccount, { id, active: true });
    if (!account || !this.registry.has(account.pluginId)) return false;
    const plugin = this.registry.get(account.pluginId);
    try {
      const check = await this.check(plugin, this.contextOf(account, plugin, plugin.configSchema.parse(this.box.openFields(account.config))));
      account.lastCheck = recordOf(check, this.clock.now());
    } catch (error) {
      this.logger.warn(`channel account ${id}: recheck failed: ${(error as Error).message}`);
      return false;
    }
    await em.flush();
    // The resolved-account cache holds the account entity: its next resolve reads the new check.
    this.forget(id);
    return true;
  }

  /** Notes that a webhook arrived for the account; writes at most once a minute per process (hot path). */
  async touchWebhook(id: string): Promise<void> {
    const now = this.clock.now();
    const last = this.webhookTouched.get(id);
    if (last !== undefined && now.getTime() - last < WEBHOOK_TOUCH_MS) return;
    this.webhookTouched.set(id, now.getTime());
    // A native update leaves `updatedAt` alone, so the resolved-account cache stays valid.
    await this.orm.em.fork().nativeUpdate(ChannelAccount, { id }, { lastWebhookAt: now });
  }

  /**
   * Keeps what the provider now says the account may not send (`account_update`), in the
   * caller's transaction, unless a later announcement is already kept (webhooks arrive out of
   * order). Records the `channel.restricted` fact when something is restricted, the
   * `channel.restriction_lifted` fact when something it had restricted no longer is, and pushes
   * the account's new view to the apps. Returns whether it was kept.
   */
  async applyRestriction(em: EntityManager, tenant: string, now: Date, id: string, announced: { restriction: AccountRestriction; description: string; timestamp: Date }): Promise<boolean> {
    const account = await em.findOne(ChannelAccount, { id }, this.lock);
    if (!account || !isNewer(announced.timestamp, account.restriction)) return false;
    const before = account.restriction;
    account.restriction = restrictionRecord(announced.restriction, announced.timestamp, announced.description);
    const live = liveEvents.channelUpdated(tenant, { channelAccountId: id, data: { channel: this.view(account, now) } });
    const { businessInitiated, customerInitiated, until } = announced.restriction;
    const description = announced.description;
    // A lift is news only for what the provider had said was restricted (an announcement of
    // other restrictions, adding numbers say, lifts nothing).
    const lifted = { businessInitiated: !!before?.businessInitiated && !businessInitiated, customerInitiated: !!before?.customerInitiated && !customerInitiated };
    const recorded = [
      ...(businessInitiated || customerInitiated ? [facts.channelRestricted(tenant, { channelAccountId: id, businessInitiated, customerInitiated, until: until?.toISOString() ?? null, description })] : []),
      ...(lifted.businessInitiated || lifted.customerInitiated ? [facts.channelRestrictionLifted(tenant, { channelAccountId: id, ...lifted, description })] : []),
    ];
    // The live push travels with the first fact, or alone.
    const [first, ...more] = recorded;
    if (first) recordEvent(em, tenant, now, first, live);
    else recordLive(em, tenant, now, live);
    for (const fact of more) recordEvent(em, tenant, now, fact);
    // Forgotten once the caller's transaction commits: a resolve before then still reads the old row.
    const transaction = em.isInTransaction() ? em.getTransactionContext<Transaction>() : undefined;
    if (!transaction) this.forget(id);
    else this.uncommitted.set(transaction, (this.uncommitted.get(transaction) ?? new Set()).add(id));
    return true;
  }

  /**
   * What the provider last said the account may not send, read in the caller's transaction and,
   * on PostgreSQL, with the account's row locked for share: an announcement being kept meanwhile
   * is waited for and read, and one kept later waits for the caller's commit (its facts' hooks
   * then see what the caller did). For a feature that acts on the restriction ending.
   */
  async restrictionKept(em: EntityManager, id: string): Promise<ChannelRestrictionRecord | null> {
    const account = await em.findOne(ChannelAccount, { id }, { ...this.shareLock, refresh: true });
    return account?.restriction ?? null;
  }

  async create(principal: Principal, input: z.infer<typeof createChannelSchema>): Promise<ChannelAccount> {
    assertAdmin(principal);
    const plugin = this.registry.get(input.plugin);
    const config = this.parseConfig(plugin, input.config);
    const em = this.orm.em.fork();
    const account = em.create(ChannelAccount, {
      tenantId: principal.tenantId,
      pluginId: plugin.id,
      name: input.name,
      config: this.box.sealFields(config, plugin.secretFields),
    });
    const check = await this.check(plugin, this.contextOf(account, plugin, config));
    account.externalId = check?.externalId ?? null;
    account.lastCheck = recordOf(check, this.clock.now());
    this.audit.record(em, { tenantId: principal.tenantId, actor: actorOf(principal), action: 'channel.create', targetType: 'channel_account', targetId: account.id, details: { plugin: plugin.id, name: input.name } });
    await em.flush();
    return account;
  }

  async update(principal: Principal, id: string, input: z.infer<typeof updateChannelSchema>): Promise<ChannelAccount> {
    assertAdmin(principal);
    const em = this.orm.em.fork();
    const account = await this.find(em, principal, id);
    const plugin = this.registry.get(account.pluginId);
    if (input.config) {
      const current = this.box.openFields(account.config);
      const config = this.parseConfig(plugin, { ...current, ...input.config });
      const check = await this.check(plugin, this.contextOf(account, plugin, config));
      account.externalId = check?.externalId ?? null;
      account.lastCheck = recordOf(check, this.clock.now());
      account.config = this.box.sealFields(config, plugin.secretFields);
    }
    if (input.name !== undefined) account.name = input.name;
    if (input.active !== undefined) account.active = input.active;
    if (input.autoAssign !== undefined) account.autoAssign = input.autoAssign;
    if (input.autoAssignLimit !== undefined) account.autoAssignLimit = input.autoAssignLimit;
    this.audit.record(em, { tenantId: principal.tenantId, actor: actorOf(principal), action: 'channel.update', targetType: 'channel_account', targetId: account.id, details: { fields: Object.keys(input.config ?? {}), name: input.name, active: input.active, autoAssign: input.autoAssign, autoAssignLimit: input.autoAssignLimit } });
    await em.flush();
    this.forget(id);
    return account;
  }

  async list(principal: Principal): Promise<ChannelAccount[]> {
    const accounts = await this.orm.em.fork().find(ChannelAccount, { tenantId: principal.tenantId }, { orderBy: { createdAt: 'asc' } });
    return accounts.filter((a) => principal.inboxIds === 'all' || principal.inboxIds.has(a.id));
  }

  async get(principal: Principal, id: string): Promise<ChannelAccount> {
    return this.find(this.orm.em.fork(), principal, id);
  }

  private async find(em: EntityManager, principal: Principal, id: string): Promise<ChannelAccount> {
    const account = await em.findOne(ChannelAccount, { id, tenantId: principal.tenantId });
    if (!account) throw new ObrolError('NOT_FOUND', 'Channel account not found.');
    assertInbox(principal, account.id, 'Channel account');
    return account;
  }

  private contextOf(account: ChannelAccount, plugin: ChannelPlugin<unknown>, config: unknown): ChannelContext<unknown> {
    return { channelAccountId: account.id, tenantId: account.tenantId, config, clock: this.clock };
  }

  /**
   * The account with its plugin and decrypted config (hot path: webhooks). Kept until the
   * account changes: after `CACHE_MS` only its `updatedAt` is read again, and the config is
   * decrypted and parsed anew only when that moved (an update in any process).
   */
  async resolve(id: string, pluginId?: string): Promise<ResolvedAccount> {
    const hit = this.cache.get(id);
    const now = Date.now();
    if (hit && now - hit.at < CACHE_MS && (!pluginId || hit.resolved.account.pluginId === pluginId)) return hit.resolved;
    if (hit && (!pluginId || hit.resolved.account.pluginId === pluginId)) {
      const current = await this.orm.em.fork().findOne(ChannelAccount, { id }, { fields: ['updatedAt'] });
      if (current && current.updatedAt.getTime() === hit.resolved.account.updatedAt.getTime()) {
        hit.at = now;
        return hit.resolved;
      }
    }
    const forgotten = this.forgotten;
    const account = await this.orm.em.fork().findOne(ChannelAccount, { id });
    if (!account || (pluginId && account.pluginId !== pluginId)) throw new ObrolError('NOT_FOUND', 'Channel account not found.');
    const plugin = this.registry.get(account.pluginId);
    const config = plugin.configSchema.parse(this.box.openFields(account.config));
    const resolved = { account, plugin, context: this.contextOf(account, plugin, config) };
    if (forgotten === this.forgotten) this.cache.set(id, { at: now, resolved });
    return resolved;
  }

  /** Every active account (for periodic jobs). */
  async allActive(): Promise<ChannelAccount[]> {
    return this.orm.em.fork().find(ChannelAccount, { active: true });
  }
}
