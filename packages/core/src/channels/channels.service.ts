import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type ChannelAccountView, type ChannelContext, type ChannelPlugin, type Clock, ObrolError } from '@obrol/contracts';
import { z } from 'zod';
import { AuditService } from '../audit/audit.service.js';
import { type Principal, actorOf, assertAdmin, assertInbox } from '../auth/principal.js';
import { CLOCK } from '../clock/clock.token.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { fieldProblems } from '../http/zod-validation.pipe.js';
import { ChannelRegistry } from '../plugin/channel-registry.js';
import { ChannelAccount } from './channel-account.entity.js';
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

export { type ChannelAccountView, channelAccountViewSchema, channelCapabilitiesSchema } from '@obrol/contracts';

/** A channel account with its plugin and decrypted context, ready to use. */
export interface ResolvedAccount {
  account: ChannelAccount;
  plugin: ChannelPlugin<unknown>;
  context: ChannelContext<unknown>;
}

const CACHE_MS = 5_000;

/** Channel accounts (inboxes): create with the plugin's schema and credential check, secrets sealed. */
@Injectable()
export class ChannelsService {
  private readonly logger = new Logger('ChannelsService');
  private readonly box: SecretBox;
  private readonly cache = new Map<string, { at: number; resolved: ResolvedAccount }>();

  constructor(
    private readonly orm: MikroORM,
    private readonly registry: ChannelRegistry,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) private readonly options: CoreOptions,
  ) {
    this.box = new SecretBox(options.secretKey);
  }

  view(account: ChannelAccount): ChannelAccountView {
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

  /** Asks the plugin to check the credentials; returns the provider's id for the account. */
  private async check(plugin: ChannelPlugin<unknown>, context: ChannelContext<unknown>): Promise<string | null> {
    if (!plugin.checkAccount) return null;
    const result = await plugin.checkAccount(context);
    if (!result.ok) {
      throw new ObrolError(result.error.code === 'CHANNEL_UNAVAILABLE' ? 'CHANNEL_UNAVAILABLE' : 'CHANNEL_AUTH_FAILED', result.error.message, {
        providerCode: result.error.providerCode,
        providerMessage: result.error.providerMessage,
      });
    }
    return result.value.externalId ?? null;
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
    account.externalId = await this.check(plugin, this.contextOf(account, plugin, config));
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
      account.externalId = await this.check(plugin, this.contextOf(account, plugin, config));
      account.config = this.box.sealFields(config, plugin.secretFields);
    }
    if (input.name !== undefined) account.name = input.name;
    if (input.active !== undefined) account.active = input.active;
    if (input.autoAssign !== undefined) account.autoAssign = input.autoAssign;
    if (input.autoAssignLimit !== undefined) account.autoAssignLimit = input.autoAssignLimit;
    this.audit.record(em, { tenantId: principal.tenantId, actor: actorOf(principal), action: 'channel.update', targetType: 'channel_account', targetId: account.id, details: { fields: Object.keys(input.config ?? {}), name: input.name, active: input.active, autoAssign: input.autoAssign, autoAssignLimit: input.autoAssignLimit } });
    await em.flush();
    this.cache.delete(id);
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
    const account = await this.orm.em.fork().findOne(ChannelAccount, { id });
    if (!account || (pluginId && account.pluginId !== pluginId)) throw new ObrolError('NOT_FOUND', 'Channel account not found.');
    const plugin = this.registry.get(account.pluginId);
    const config = plugin.configSchema.parse(this.box.openFields(account.config));
    const resolved = { account, plugin, context: this.contextOf(account, plugin, config) };
    this.cache.set(id, { at: now, resolved });
    return resolved;
  }

  /** Every active account (for periodic jobs). */
  async allActive(): Promise<ChannelAccount[]> {
    return this.orm.em.fork().find(ChannelAccount, { active: true });
  }
}
