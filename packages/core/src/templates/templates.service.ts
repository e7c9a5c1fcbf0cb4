import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import {
  type ChannelTemplates,
  type Clock,
  type DownloadedMedia,
  ObrolError,
  type TemplateDefinition,
  type TemplateParameters,
  type TemplateProblem,
  type TemplateStatusEvent,
  type TemplateView,
  facts,
  liveEvents,
  templateCategorySchema,
  templateDraftSchema,
} from '@obrol/contracts';
import { z } from 'zod';
import { AuditService } from '../audit/audit.service.js';
import { type Principal, actorOf, assertAdmin } from '../auth/principal.js';
import { ChannelsService, type ResolvedAccount } from '../channels/channels.service.js';
import { containsText } from '../database/contains-text.filter.js';
import { CLOCK } from '../clock/clock.token.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { recordEvent } from '../outbox/outbox.js';
import { Every } from '../work/declared-work.js';
import { Template } from './template.entity.js';

const HOUR = 60 * 60 * 1000;

export const createTemplateSchema = templateDraftSchema;
export const listTemplatesQuerySchema = z.object({
  status: z.string().max(64).optional(),
  q: z.string().trim().max(200).optional(),
});

export { type TemplateView, templateViewSchema } from '@obrol/contracts';

export const deleteTemplatesQuerySchema = z.object({
  /** Every language of this template name. */
  name: z.string().trim().min(1).max(512),
});

/** What a deletion removed: one language (`scope: language`) or every language of a name (`scope: name`). */
export const templateDeletionSchema = z.object({
  scope: z.enum(['language', 'name']),
  name: z.string(),
  deleted: z.array(z.object({ id: z.string(), language: z.string() })),
});
export type TemplateDeletion = z.infer<typeof templateDeletionSchema>;

/** A draft to lint as the admin types: loosely shaped, since half-written fields are the point. */
export const lintTemplateSchema = z.object({ draft: z.unknown() });
export const templateProblemSchema = z.object({ path: z.string(), message: z.string(), rule: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() });

/** An approved template made elsewhere (WhatsApp Manager, another tool) to register by name. */
export const registerTemplateSchema = z.object({
  name: z.string().trim().min(1).max(512),
  language: z.string().trim().min(2).max(15),
  category: templateCategorySchema.optional().describe('checked against what the provider says, when given'),
  namespace: z.string().trim().max(128).optional().describe('the message-template namespace of older accounts; kept for reference'),
});

export const templateSyncResultSchema = z.object({ total: z.number().int(), created: z.number().int(), updated: z.number().int(), removed: z.number().int() });

const VARIABLE = /\{\{\s*([a-z0-9_]+)\s*\}\}/g;
const variablesIn = (text: string | undefined): string[] => [...new Set([...(text ?? '').matchAll(VARIABLE)].map((m) => m[1]!))];

export function templateView(t: Template): TemplateView {
  const header = t.components.header;
  return {
    id: t.id,
    channelAccountId: t.channelAccount.id,
    externalId: t.externalId,
    name: t.name,
    language: t.language,
    category: t.category,
    parameterFormat: t.parameterFormat,
    components: t.components,
    status: t.status,
    rejectionReason: t.rejectionReason,
    quality: t.quality,
    variables: {
      header: header?.format === 'TEXT' ? variablesIn(header.text) : header ? [header.format.toLowerCase()] : [],
      body: variablesIn(t.components.body.text),
      buttons: (t.components.buttons ?? [])
        .map((b, index) => ({ index, type: b.type, dynamic: b.type === 'URL' ? b.url.includes('{{') : b.type === 'COPY_CODE' || b.type === 'OTP' }))
        .filter((b) => b.dynamic)
        .map(({ index, type }) => ({ index, type })),
    },
    syncedAt: t.syncedAt?.toISOString() ?? null,
    updatedAt: t.updatedAt.toISOString(),
  };
}

export function definitionOf(t: Template): TemplateDefinition {
  return {
    externalId: t.externalId ?? undefined,
    name: t.name,
    language: t.language,
    category: t.category,
    parameterFormat: t.parameterFormat,
    components: t.components,
    status: t.status,
    rejectionReason: t.rejectionReason,
    quality: t.quality,
  };
}

/** Templates (HSM): synced from the provider, linted before submission, checked before a send. */
@Injectable()
export class TemplatesService {
  private readonly logger = new Logger('TemplatesService');

  constructor(
    private readonly orm: MikroORM,
    private readonly channels: ChannelsService,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) private readonly options: CoreOptions,
  ) {}

  /** Syncs every active account's templates (every 6 h unless configured), so approvals made elsewhere show up. */
  @Every<TemplatesService>({ name: 'template sync', intervalMs: (self) => self.options.templateSyncIntervalMs ?? 6 * HOUR })
  async syncAll(): Promise<void> {
    for (const account of await this.channels.allActive()) {
      const resolved = await this.channels.resolve(account.id).catch(() => null);
      if (!resolved?.plugin.templates) continue;
      await this.sync(account.id).catch((e: Error) => this.logger.warn(`template sync of ${account.id} failed: ${e.message}`));
    }
  }

  /**
   * Applies a template change the provider reported (status, quality or category), in the
   * caller's unit of work, and records `template.status` when something changed.
   */
  async applyProviderStatus(em: EntityManager, tenant: string, now: Date, channelAccountId: string, event: TemplateStatusEvent): Promise<void> {
    const template =
      (event.externalId ? await em.findOne(Template, { channelAccount: channelAccountId, externalId: event.externalId }) : null) ??
      (await em.findOne(Template, { channelAccount: channelAccountId, name: event.name, language: event.language }));
    if (!template) {
      this.logger.warn(`template status ${event.status} for unknown template ${event.name}/${event.language}; sync templates to pick it up`);
      return;
    }
    switch (event.change ?? 'status') {
      case 'quality':
        if (!event.quality || template.quality === event.quality) return;
        template.quality = event.quality;
        break;
      case 'category':
        if (!event.category || template.category === event.category) return;
        template.category = event.category;
        break;
      case 'status':
        if (template.status === event.status && template.rejectionReason === (event.reason ?? null)) return;
        template.status = event.status;
        template.rejectionReason = event.reason ?? null;
    }
    const data = { channelAccountId, templateId: template.id, name: template.name, language: template.language, status: template.status, reason: template.rejectionReason, quality: template.quality, category: template.category };
    recordEvent(em, tenant, now, facts.templateStatus(tenant, data), liveEvents.templateStatus(tenant, { channelAccountId, data }));
  }

  private templatesOf(resolved: ResolvedAccount): ChannelTemplates<unknown> {
    if (!resolved.plugin.templates) {
      throw new ObrolError('CONTENT_NOT_SUPPORTED', `The ${resolved.plugin.displayName} channel has no message templates.`);
    }
    return resolved.plugin.templates;
  }

  async list(principal: Principal, channelAccountId: string, query: z.infer<typeof listTemplatesQuerySchema>): Promise<TemplateView[]> {
    const account = await this.channels.get(principal, channelAccountId);
    const rows = await this.orm.em.fork().find(
      Template,
      {
        channelAccount: account,
        ...(query.status ? { status: query.status.toUpperCase() } : {}),
        ...(query.q ? containsText('name', query.q) : {}),
      },
      { orderBy: { name: 'asc', language: 'asc' } },
    );
    return rows.map(templateView);
  }

  /** Pulls every template from the provider and upserts them; returns how many there are. */
  async sync(channelAccountId: string): Promise<{ total: number; created: number; updated: number; removed: number }> {
    const resolved = await this.channels.resolve(channelAccountId);
    const result = await this.templatesOf(resolved).list(resolved.context);
    if (!result.ok) throw new ObrolError(result.error.code, `Template sync failed: ${result.error.message}`, { retryable: result.error.retryable });
    const em = this.orm.em.fork();
    const now = this.clock.now();
    const existing = await em.find(Template, { channelAccount: resolved.account.id });
    const byKey = new Map(existing.map((t) => [`${t.name}/${t.language}`, t]));
    let created = 0;
    let updated = 0;
    for (const def of result.value) {
      const key = `${def.name}/${def.language}`;
      const row = byKey.get(key);
      byKey.delete(key);
      if (row) {
        this.assign(row, def, now);
        updated++;
      } else {
        const t = em.create(Template, { tenantId: resolved.account.tenantId, channelAccount: resolved.account.id, name: def.name, language: def.language, category: def.category, components: def.components, status: def.status });
        this.assign(t, def, now);
        created++;
      }
    }
    // Templates gone at the provider are gone for good (deleted in WhatsApp Manager).
    for (const gone of byKey.values()) em.remove(gone);
    await em.flush();
    return { total: result.value.length, created, updated, removed: byKey.size };
  }

  private assign(t: Template, def: TemplateDefinition, now: Date): void {
    t.externalId = def.externalId ?? t.externalId;
    t.category = def.category;
    t.parameterFormat = def.parameterFormat;
    t.components = def.components;
    t.status = def.status;
    t.rejectionReason = def.rejectionReason ?? null;
    t.quality = def.quality ?? null;
    t.syncedAt = now;
  }

  /**
   * The plugin's linter over a draft, for the editor to run as the admin types. A draft the
   * shape check refuses answers with those problems (in the linter's form), never a 400.
   */
  async lint(principal: Principal, channelAccountId: string, raw: unknown): Promise<TemplateProblem[]> {
    const account = await this.channels.get(principal, channelAccountId);
    const templates = this.templatesOf(await this.channels.resolve(account.id));
    const parsed = templateDraftSchema.safeParse(raw);
    if (!parsed.success) return parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, rule: `shape.${i.code}` }));
    return templates.lint(parsed.data);
  }

  /**
   * Registers a template that already exists at the provider (made in WhatsApp Manager): looked
   * up there by name and language, so only a real one is stored, with its true status.
   */
  async register(principal: Principal, channelAccountId: string, input: z.infer<typeof registerTemplateSchema>): Promise<TemplateView> {
    assertAdmin(principal);
    const account = await this.channels.get(principal, channelAccountId);
    const resolved = await this.channels.resolve(account.id);
    const result = await this.templatesOf(resolved).list(resolved.context);
    if (!result.ok) throw new ObrolError(result.error.code, `Could not look the template up: ${result.error.message}`, { retryable: result.error.retryable });
    const found = result.value.find((d) => d.name === input.name && d.language === input.language);
    if (!found) {
      const languages = result.value.filter((d) => d.name === input.name).map((d) => d.language);
      throw new ObrolError(
        'TEMPLATE_NOT_FOUND',
        languages.length
          ? `The template "${input.name}" exists in ${languages.join(', ')}, not in ${input.language}.`
          : `There is no template "${input.name}" on this WhatsApp Business Account; check the name as WhatsApp Manager shows it.`,
      );
    }
    if (input.category && input.category !== found.category) {
      throw new ObrolError('VALIDATION_FAILED', `The template "${input.name}" is ${found.category}, not ${input.category}.`, { problems: [{ field: 'category', message: `is ${found.category}` }] });
    }
    const em = this.orm.em.fork();
    const now = this.clock.now();
    const t =
      (await em.findOne(Template, { channelAccount: account, name: found.name, language: found.language })) ??
      em.create(Template, { tenantId: account.tenantId, channelAccount: account, name: found.name, language: found.language, category: found.category, components: found.components, status: found.status });
    this.assign(t, found, now);
    this.audit.record(em, { tenantId: account.tenantId, actor: actorOf(principal), action: 'template.register', targetType: 'template', targetId: t.id, details: { name: t.name, language: t.language, namespace: input.namespace ?? null } });
    await em.flush();
    return templateView(t);
  }

  /** Lints, submits for approval and stores a new template. */
  async create(principal: Principal, channelAccountId: string, draft: z.infer<typeof createTemplateSchema>): Promise<TemplateView> {
    assertAdmin(principal);
    const account = await this.channels.get(principal, channelAccountId);
    const resolved = await this.channels.resolve(account.id);
    const templates = this.templatesOf(resolved);
    const problems = templates.lint(draft);
    if (problems.length > 0) {
      throw new ObrolError('TEMPLATE_LINT_FAILED', `The template would be rejected: ${problems.map((p) => p.message).join(' ')}`, { problems });
    }
    const em = this.orm.em.fork();
    if (await em.findOne(Template, { channelAccount: account, name: draft.name, language: draft.language })) {
      throw new ObrolError('CONFLICT', `A template ${draft.name} in ${draft.language} already exists.`);
    }
    const result = await templates.create(draft, resolved.context);
    if (!result.ok) throw new ObrolError(result.error.code === 'CHANNEL_UNAVAILABLE' ? 'CHANNEL_UNAVAILABLE' : 'TEMPLATE_LINT_FAILED', result.error.message, { providerCode: result.error.providerCode, providerMessage: result.error.providerMessage });
    const t = em.create(Template, { tenantId: account.tenantId, channelAccount: account, name: draft.name, language: draft.language, category: draft.category, components: draft.components, status: result.value.status });
    this.assign(t, { ...draft, ...result.value }, this.clock.now());
    this.audit.record(em, { tenantId: account.tenantId, actor: actorOf(principal), action: 'template.create', targetType: 'template', targetId: t.id, details: { name: t.name, language: t.language } });
    await em.flush();
    return templateView(t);
  }

  /** Uploads a media header's sample file to the provider; answers the handle a draft names as its example. */
  async uploadHeaderSample(principal: Principal, channelAccountId: string, file: DownloadedMedia): Promise<{ handle: string }> {
    assertAdmin(principal);
    const account = await this.channels.get(principal, channelAccountId);
    const resolved = await this.channels.resolve(account.id);
    const templates = this.templatesOf(resolved);
    if (!templates.uploadHeaderSample) {
      throw new ObrolError('CONTENT_NOT_SUPPORTED', `The ${resolved.plugin.displayName} channel takes no uploaded header samples.`);
    }
    const result = await templates.uploadHeaderSample(file, resolved.context);
    if (!result.ok) throw new ObrolError(result.error.code, result.error.message, { providerCode: result.error.providerCode, providerMessage: result.error.providerMessage });
    return result.value;
  }

  /**
   * Edits a rejected, paused or approved template in place and resubmits it (same name and
   * language); it is PENDING again until the provider's verdict arrives as a status change.
   */
  async update(principal: Principal, channelAccountId: string, templateId: string, draft: z.infer<typeof createTemplateSchema>): Promise<TemplateView> {
    assertAdmin(principal);
    const account = await this.channels.get(principal, channelAccountId);
    const em = this.orm.em.fork();
    const t = await em.findOne(Template, { id: templateId, channelAccount: account });
    if (!t) throw new ObrolError('NOT_FOUND', 'Template not found.');
    const templates = this.templatesOf(await this.channels.resolve(account.id));
    if (!templates.update) throw new ObrolError('CONTENT_NOT_SUPPORTED', 'This channel cannot edit templates in place; create a new one instead.');
    if (!t.externalId) throw new ObrolError('CONFLICT', `Template "${t.name}" has no provider id yet; sync templates first.`);
    if (!['REJECTED', 'PAUSED', 'APPROVED'].includes(t.status)) {
      throw new ObrolError('CONFLICT', `Template "${t.name}" is ${t.status}; only a rejected, paused or approved template can be edited.`);
    }
    const edited = { ...draft, name: t.name, language: t.language };
    const problems = templates.lint(edited);
    if (problems.length > 0) {
      throw new ObrolError('TEMPLATE_LINT_FAILED', `The template would be rejected: ${problems.map((p) => p.message).join(' ')}`, { problems });
    }
    const result = await templates.update(t.externalId, edited, (await this.channels.resolve(account.id)).context);
    if (!result.ok) throw new ObrolError(result.error.code === 'CHANNEL_UNAVAILABLE' ? 'CHANNEL_UNAVAILABLE' : 'TEMPLATE_LINT_FAILED', result.error.message, { providerCode: result.error.providerCode, providerMessage: result.error.providerMessage });
    const now = this.clock.now();
    this.assign(t, { ...edited, ...result.value }, now);
    const data = { channelAccountId: account.id, templateId: t.id, name: t.name, language: t.language, status: t.status, reason: t.rejectionReason, quality: t.quality, category: t.category };
    // Facts and live events address the tenant by its slug (the subject token).
    recordEvent(em, principal.tenantSlug, now, facts.templateStatus(principal.tenantSlug, data), liveEvents.templateStatus(principal.tenantSlug, { channelAccountId: account.id, data }));
    this.audit.record(em, { tenantId: account.tenantId, actor: actorOf(principal), action: 'template.update', targetType: 'template', targetId: t.id, details: { name: t.name, language: t.language } });
    await em.flush();
    return templateView(t);
  }

  /**
   * Deletes one language of a template, by the provider's id for it (WhatsApp: `hsm_id`). A
   * template the provider never gave an id can only be deleted by name, with all its languages.
   */
  async remove(principal: Principal, channelAccountId: string, templateId: string): Promise<TemplateDeletion> {
    assertAdmin(principal);
    const account = await this.channels.get(principal, channelAccountId);
    const em = this.orm.em.fork();
    const t = await em.findOne(Template, { id: templateId, channelAccount: account });
    if (!t) throw new ObrolError('NOT_FOUND', 'Template not found.');
    if (!t.externalId) return this.removeByName(principal, channelAccountId, t.name);
    await this.deleteAtProvider(account.id, t.name, t.externalId);
    return this.forget(em, principal, [t], 'language');
  }

  /** Deletes every language of a template name. */
  async removeByName(principal: Principal, channelAccountId: string, name: string): Promise<TemplateDeletion> {
    assertAdmin(principal);
    const account = await this.channels.get(principal, channelAccountId);
    const em = this.orm.em.fork();
    const rows = await em.find(Template, { channelAccount: account, name }, { orderBy: { language: 'asc' } });
    if (rows.length === 0) throw new ObrolError('NOT_FOUND', `There is no template named "${name}" on this channel.`);
    await this.deleteAtProvider(account.id, name, undefined);
    return this.forget(em, principal, rows, 'name');
  }

  private async deleteAtProvider(channelAccountId: string, name: string, externalId: string | undefined): Promise<void> {
    const resolved = await this.channels.resolve(channelAccountId);
    const result = await this.templatesOf(resolved).remove(name, externalId, resolved.context);
    if (!result.ok && result.error.code !== 'TEMPLATE_NOT_FOUND') throw new ObrolError(result.error.code, result.error.message);
  }

  private async forget(em: EntityManager, principal: Principal, rows: Template[], scope: TemplateDeletion['scope']): Promise<TemplateDeletion> {
    for (const t of rows) {
      em.remove(t);
      this.audit.record(em, { tenantId: t.tenantId, actor: actorOf(principal), action: 'template.delete', targetType: 'template', targetId: t.id, details: { name: t.name, language: t.language, scope } });
    }
    await em.flush();
    return { scope, name: rows[0]!.name, deleted: rows.map((t) => ({ id: t.id, language: t.language })) };
  }

  /**
   * Checks a template send before it reaches the provider: the template exists, is approved,
   * and the parameters fit it. Returns the text the customer will see.
   */
  async prepareSend(
    em: EntityManager,
    resolved: ResolvedAccount,
    input: { name: string; language: string; parameters: TemplateParameters },
  ): Promise<{ renderedText: string }> {
    const templates = this.templatesOf(resolved);
    const t = await em.findOne(Template, { channelAccount: resolved.account.id, name: input.name, language: input.language });
    if (!t) {
      throw new ObrolError('TEMPLATE_NOT_FOUND', `There is no template "${input.name}" in ${input.language} on this number. Sync templates or pick another.`);
    }
    if (t.status !== 'APPROVED') {
      throw new ObrolError('TEMPLATE_NOT_APPROVED', `Template "${t.name}" (${t.language}) is ${t.status}, not APPROVED, so it cannot be sent.`);
    }
    const def = definitionOf(t);
    const problems = templates.validateParameters(def, input.parameters);
    if (problems.length > 0) {
      throw new ObrolError('TEMPLATE_PARAMS_INVALID', `The template parameters do not fit "${t.name}": ${problems.map((p) => p.message).join(' ')}`, { problems });
    }
    return { renderedText: templates.render(def, input.parameters) };
  }
}
