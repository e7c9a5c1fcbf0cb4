import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type Clock, ERROR_CODES, type ErrorCode, ObrolError } from '@obrol/contracts';
import {
  CLOCK,
  ChannelsService,
  Every,
  MediaObject,
  Message,
  type Page,
  type Principal,
  Template,
  assertInbox,
  canSeeInbox,
  decodeCursor,
  definitionOf,
  encodeCursor,
  idCursorSchema,
  newId,
} from '@obrol/core';
import type { z } from 'zod';
import { readAudienceCsv } from '../audience/audience-csv.reader.js';
import { AudienceRecipientsWriter } from '../audience/audience-recipients.writer.js';
import { withSpooledUpload } from '../audience/spooled-upload.js';
import { BROADCAST_OPTIONS, type BroadcastOptions } from '../broadcast-options.js';
import { BroadcastRecipient, inItsAudience, recipientsOf } from './broadcast-recipient.entity.js';
import { Broadcast } from './broadcast.entity.js';
import type {
  BroadcastStatus,
  BroadcastView,
  FailureGroups,
  RecipientReasonCode,
  RecipientView,
  VariableMapping,
  audienceImportSchema,
  createBroadcastSchema,
  listBroadcastsQuerySchema,
  listRecipientsQuerySchema,
  scheduleBroadcastSchema,
  updateBroadcastSchema,
} from './broadcast.schemas.js';
import { shiftCounters } from './broadcast-counters.js';
import { BroadcastEngine } from './broadcast.engine.js';
import { broadcastView, recipientView } from './broadcast.view.js';
import { isTimeZone, localTimeToInstant } from './schedule-time.js';
import { requiredColumns } from './variable-resolution.js';
import { dailyLimitOf } from '../pacing/daily-limit.js';
import { type BroadcastReason, broadcastReasons, setReason } from './broadcast-reason.js';

const EXAMPLES = 5;

/** Staged rows of an import that never finished (a crash mid-file) are removed after a day. */
const STAGED_ROWS_KEPT_MS = 24 * 60 * 60 * 1000;
/** How often recipients an interrupted import left are looked for, besides at start. */
const STRAY_ROWS_CHECK_MS = 60 * 60 * 1000;

/** The broadcasts API's rules: who may see and change what, in which state. */
@Injectable()
export class BroadcastsService {
  private readonly logger = new Logger('BroadcastsService');

  constructor(
    private readonly orm: MikroORM,
    private readonly channels: ChannelsService,
    private readonly engine: BroadcastEngine,
    private readonly audience: AudienceRecipientsWriter,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(BROADCAST_OPTIONS) private readonly options: BroadcastOptions,
  ) {}

  async create(principal: Principal, input: z.infer<typeof createBroadcastSchema>): Promise<BroadcastView> {
    assertInbox(principal, input.channelAccountId, 'Channel account');
    const resolved = await this.channels.resolve(input.channelAccountId);
    if (resolved.account.tenantId !== principal.tenantId) throw new ObrolError('NOT_FOUND', 'Channel account not found.');
    const em = this.orm.em.fork();
    await this.templateFor(em, input.channelAccountId, input.template.name, input.template.language);
    await this.assertHeaderFile(em, input.channelAccountId, input.variables);
    const b = em.create(Broadcast, {
      tenantId: principal.tenantId,
      channelAccount: resolved.account.id,
      name: input.name,
      templateName: input.template.name,
      templateLanguage: input.template.language,
      variables: input.variables,
      audienceFilter: input.audience ?? null,
      defaultCountry: input.defaultCountry,
      messagesPerSecond: this.pace(input.messagesPerSecond),
      createdById: principal.kind === 'agent' ? principal.agentId : null,
    });
    await em.flush();
    return broadcastView(b);
  }

  async get(principal: Principal, id: string, em: EntityManager = this.orm.em.fork()): Promise<Broadcast> {
    const b = await em.findOne(Broadcast, { id, tenantId: principal.tenantId }, { populate: ['channelAccount'] });
    if (!b || !canSeeInbox(principal, b.channelAccount.id)) throw new ObrolError('NOT_FOUND', 'Broadcast not found.');
    return b;
  }

  async list(principal: Principal, query: z.infer<typeof listBroadcastsQuerySchema>): Promise<Page<BroadcastView>> {
    const em = this.orm.em.fork();
    const after = query.cursor ? decodeCursor(query.cursor, idCursorSchema).id : null;
    const rows = await em.find(
      Broadcast,
      {
        tenantId: principal.tenantId,
        ...(query.status ? { status: query.status } : {}),
        ...(query.channelAccountId ? { channelAccount: query.channelAccountId } : {}),
        ...(after ? { id: { $lt: after } } : {}),
      },
      { orderBy: { id: 'desc' }, limit: query.limit + 1, populate: ['channelAccount'] },
    );
    const visible = rows.filter((b) => canSeeInbox(principal, b.channelAccount.id));
    const items = visible.slice(0, query.limit);
    return { items: items.map(broadcastView), nextCursor: rows.length > query.limit ? encodeCursor({ id: rows[query.limit - 1]!.id }) : null };
  }

  async update(principal: Principal, id: string, input: z.infer<typeof updateBroadcastSchema>): Promise<BroadcastView> {
    const em = this.orm.em.fork();
    const b = await this.get(principal, id, em);
    this.assertStatus(b, ['draft'], 'changed');
    if (input.template) {
      await this.templateFor(em, b.channelAccount.id, input.template.name, input.template.language);
      b.templateName = input.template.name;
      b.templateLanguage = input.template.language;
    }
    if (input.name !== undefined) b.name = input.name;
    if (input.variables !== undefined) {
      await this.assertHeaderFile(em, b.channelAccount.id, input.variables);
      b.variables = input.variables;
      b.headerMediaProviderId = null;
    }
    if (input.audience !== undefined) b.audienceFilter = input.audience;
    if (input.defaultCountry !== undefined) b.defaultCountry = input.defaultCountry;
    if (input.messagesPerSecond !== undefined) b.messagesPerSecond = this.pace(input.messagesPerSecond);
    await em.flush();
    return broadcastView(b);
  }

  /**
   * Replaces the broadcast's uploaded audience with a CSV. A streamed upload is first spooled to
   * a temporary file, so a failed upload (too large, the client gone) is told apart from a bad
   * file before any row is stored; the file is then read as a stream and staged a batch at a
   * time, so memory stays flat whatever its size (`importCsv`). With any row error nothing is
   * imported and the answer lists them.
   */
  async importAudience(principal: Principal, id: string, upload: Readable | string): Promise<z.infer<typeof audienceImportSchema>> {
    // Spooled before anything is awaited: the upload must have a reader from the start.
    return withSpooledUpload(upload, (csv) => this.importCsv(principal, id, csv));
  }

  /**
   * Reads the file into staged rows, each batch its own short write (ADR 0030), then makes them
   * the broadcast's audience, copied in short transactions on SQLite and switched to at once
   * (ADR 0043): the writer is not held while the file is parsed and its numbers checked, nor for
   * the whole copy, so the inbox and webhooks go on meanwhile. The answer comes once the whole
   * audience is in. A file with any row error imports nothing; its staged rows are removed.
   */
  private async importCsv(principal: Principal, id: string, csv: Readable | string): Promise<z.infer<typeof audienceImportSchema>> {
    const em = this.orm.em.fork();
    // Refused before the file is read; checked again when the audience is replaced.
    const b = await this.get(principal, id, em);
    this.assertStatus(b, ['draft'], 'given a new audience');
    await this.audience.sweep(em, new Date(this.clock.now().getTime() - STAGED_ROWS_KEPT_MS));
    const importId = newId();
    let imported = 0;
    try {
      const read = await readAudienceCsv(csv, {
        defaultCountry: b.defaultCountry,
        requiredColumns: requiredColumns(b.variables),
        sink: async (rows) => {
          const duplicates = await this.audience.stage(em, importId, b.id, rows);
          imported += rows.length - duplicates.length;
          return duplicates;
        },
      });
      if (read.errors.length) {
        throw new ObrolError('AUDIENCE_INVALID', `${read.errors.length === 1 ? 'One row has a problem' : `${read.errors.length} rows have problems`}; nothing was imported. Fix them and upload the file again.`, {
          rows: read.rowCount,
          errors: read.errors,
        });
      }
      const replaced = await this.audience.replace(em, b.id, importId);
      // It may have been started (or cancelled) while the file was read or copied: it keeps its audience.
      if (replaced === 'not-draft') throw this.stateInvalid(await this.get(principal, id), ['draft'], 'given a new audience');
      if (replaced === 'stopped') throw new ObrolError('NOT_READY', 'Obrol is shutting down, and the audience was not imported; upload the file again once it is back.');
      return { broadcastId: id, imported, rows: read.rowCount, errors: [] };
    } finally {
      // When even this fails (the database is gone), the sweep of a later import removes them.
      await this.audience.discard(this.orm.em.fork(), importId).catch((error: Error) => this.logger.warn(`staged rows of import ${importId} not removed yet: ${error.message}`));
    }
  }

  /**
   * Removes the recipients that imports a crash or a shutdown interrupted left (ADR 0043): at
   * start, before the first request is taken, and every hour after.
   */
  @Every({ name: 'stray audience rows', intervalMs: STRAY_ROWS_CHECK_MS, runAtStart: true })
  async removeStrayRecipients(): Promise<void> {
    const audiences = await this.audience.removeStray(this.orm.em.fork());
    if (audiences) this.logger.warn(`removed the recipients of ${audiences} audience(s) that an interrupted import left`);
  }

  /** Starts now, or schedules a start at a local date-time in an IANA time zone. */
  async start(principal: Principal, id: string, input: z.infer<typeof scheduleBroadcastSchema>): Promise<BroadcastView> {
    const em = this.orm.em.fork();
    const b = await this.get(principal, id, em);
    this.assertStatus(b, ['draft', 'scheduled'], 'started');
    const template = await this.templateFor(em, b.channelAccount.id, b.templateName, b.templateLanguage);
    if (template.status !== 'APPROVED') throw new ObrolError('TEMPLATE_NOT_APPROVED', `Template "${template.name}" (${template.language}) is ${template.status}, not APPROVED.`);
    if (input.at) {
      const timeZone = input.timeZone ?? 'UTC';
      if (!isTimeZone(timeZone)) throw new ObrolError('VALIDATION_FAILED', `"${timeZone}" is not an IANA time zone such as Asia/Jakarta.`, { problems: [{ field: 'timeZone', message: 'unknown time zone' }] });
      const at = localTimeToInstant(input.at, timeZone);
      if (at.getTime() > this.clock.now().getTime()) {
        Object.assign(b, { status: 'scheduled', scheduledAt: at, scheduledLocal: input.at, timeZone });
        await em.flush();
        return broadcastView(b);
      }
    }
    // A large audience is planned by a worker, not while the caller waits (ADR 0033): due now,
    // without a local time, it starts as soon as its plan is made.
    if ((await this.engine.audienceSize(em, b)) > this.options.startInBackgroundAbove) {
      Object.assign(b, { status: 'scheduled', scheduledAt: this.clock.now(), scheduledLocal: null, timeZone: null });
      await em.flush();
      return broadcastView(b);
    }
    if (b.status === 'scheduled') {
      b.status = 'draft';
      await em.flush();
    }
    await this.engine.launch(b.id, 'draft');
    return broadcastView(await this.get(principal, id));
  }

  async pause(principal: Principal, id: string): Promise<BroadcastView> {
    const b = await this.get(principal, id);
    this.assertStatus(b, ['running'], 'paused');
    await this.engine.pause(b.id, broadcastReasons.pausedBy(principal.kind === 'agent' ? 'agent' : 'api'));
    return broadcastView(await this.get(principal, id));
  }

  /** Resumes where it stopped, through the engine's one resume path (the one an automatic resume takes too). */
  async resume(principal: Principal, id: string): Promise<BroadcastView> {
    this.assertStatus(await this.get(principal, id), ['paused'], 'resumed');
    const outcome = await this.engine.resume(id, null);
    if (!outcome.resumed) throw outcome.problem ? this.resumeRefused(outcome.problem) : this.stateInvalid(await this.get(principal, id), ['paused'], 'resumed');
    return broadcastView(await this.get(principal, id));
  }

  /** Why a resume is refused, as the API's error: what keeps the broadcast paused (its header file, or its template). */
  private resumeRefused(problem: BroadcastReason): ObrolError {
    if (problem.code === 'HEADER_UPLOAD_FAILED') return new ObrolError('MEDIA_FAILED', problem.text);
    const { template, language, status } = problem.params;
    if (status === 'missing') return new ObrolError('TEMPLATE_NOT_FOUND', `There is no template "${template}" in ${language} on this number. Sync templates or pick another.`);
    return new ObrolError('TEMPLATE_NOT_APPROVED', `Template "${template}" is still ${status}; resume when WhatsApp approves it again.`);
  }

  /** Stops for good: recipients not handed out yet are skipped; messages already queued are refused by the gate. */
  async cancel(principal: Principal, id: string): Promise<BroadcastView> {
    await this.orm.em.fork().transactional(async (tx) => {
      const b = await this.get(principal, id, tx);
      this.assertStatus(b, ['draft', 'scheduled', 'running', 'paused'], 'cancelled');
      const skipped = await tx.nativeUpdate(BroadcastRecipient, { ...recipientsOf(b.id), status: { $in: ['pending', 'deferred'] } }, { status: 'skipped', reason: 'The broadcast was cancelled.', reasonCode: 'BROADCAST_CANCELLED', reasonParams: null, updatedAt: this.clock.now() });
      if (b.startedAt) await shiftCounters(tx, b.id, { pending: -b.pending, deferred: -b.deferred, skipped });
      await tx.refresh(b);
      b.status = 'cancelled';
      setReason(b, broadcastReasons.cancelledBy(principal.kind === 'agent' ? 'agent' : 'api'));
      b.finishedAt = this.clock.now();
      this.engine.record(tx, principal.tenantSlug, b, 'cancelled');
    });
    return broadcastView(await this.get(principal, id));
  }

  /** Sends again to the recipients that failed (a new message each), with the parameters frozen at start. */
  async retryFailed(principal: Principal, id: string): Promise<BroadcastView> {
    await this.orm.em.fork().transactional(async (tx) => {
      const b = await this.get(principal, id, tx);
      this.assertStatus(b, ['running', 'paused', 'completed'], 'retried');
      const moved = await tx.nativeUpdate(BroadcastRecipient, { ...recipientsOf(b.id), status: 'failed' }, { status: 'pending', messageId: null, reason: null, reasonCode: null, reasonParams: null, errorCode: null, updatedAt: this.clock.now() });
      if (moved === 0) return;
      await shiftCounters(tx, b.id, { failed: -moved, pending: moved });
      if (b.status === 'completed') {
        b.status = 'running';
        b.finishedAt = null;
        this.engine.record(tx, principal.tenantSlug, b, 'resumed');
      }
    });
    return broadcastView(await this.get(principal, id));
  }

  async recipients(principal: Principal, id: string, query: z.infer<typeof listRecipientsQuerySchema>): Promise<Page<RecipientView>> {
    const em = this.orm.em.fork();
    const b = await this.get(principal, id, em);
    const after = query.cursor ? decodeCursor(query.cursor, idCursorSchema).id : null;
    const rows = await em.find(
      BroadcastRecipient,
      { ...recipientsOf(b.id), ...(query.status ? { status: query.status } : {}), ...(query.phone ? { phone: query.phone } : {}), ...(after ? { id: { $gt: after } } : {}) },
      { orderBy: { id: 'asc' }, limit: query.limit + 1 },
    );
    const items = rows.slice(0, query.limit);
    return { items: items.map(recipientView), nextCursor: rows.length > query.limit ? encodeCursor({ id: items.at(-1)!.id }) : null };
  }

  /** Every recipient with their status and reason, as CSV lines (the first is the header). */
  async *exportCsv(principal: Principal, id: string): AsyncGenerator<string> {
    const b = await this.get(principal, id);
    const cell = (v: string | number | null) => (v === null ? '' : /[",\n\r]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
    yield 'phone,country,csv_row,status,reason,error_code,message_id,attempts,updated_at\n';
    let after = '';
    for (;;) {
      const chunk = await this.orm.em.fork().find(BroadcastRecipient, { ...recipientsOf(b.id), id: { $gt: after } }, { orderBy: { id: 'asc' }, limit: 1000 });
      if (chunk.length === 0) return;
      after = chunk.at(-1)!.id;
      yield chunk.map((r) => [r.phone, r.country, r.csvRow, r.status, r.reason, r.errorCode, r.messageId, r.attempts, r.updatedAt.toISOString()].map(cell).join(',')).join('\n') + '\n';
    }
  }

  /** Failed recipients counted per error code by the database (the recipients index reaches them), with one reason for each. */
  async failures(principal: Principal, id: string): Promise<FailureGroups> {
    const em = this.orm.em.fork();
    const b = await this.get(principal, id, em);
    const rows = (await em.getConnection().execute(
      `select error_code, max(reason) as reason, count(*) as n from broadcast_recipients where broadcast_id = ? and ${inItsAudience()} and status = ? group by error_code order by count(*) desc, error_code`,
      [b.id, b.id, 'failed'],
    )) as { error_code: string | null; reason: string | null; n: number | string }[];
    const items = rows.map(async (r) => ({ errorCode: r.error_code, code: await this.stableCodeOf(em, b.id, r.error_code), reason: r.reason, count: Number(r.n) }));
    return { items: await Promise.all(items) };
  }

  /**
   * Obrol's stable code for a group of failures: the recorded code itself when it is one of ours
   * (the channel gave no code of its own), else the code the channel gave the failed message of
   * one recipient in the group; one lookup per group, and there are few.
   */
  private async stableCodeOf(em: EntityManager, broadcastId: string, errorCode: string | null): Promise<ErrorCode | null> {
    if (errorCode === null) return null;
    if (Object.hasOwn(ERROR_CODES, errorCode)) return errorCode as ErrorCode;
    const one = await em.findOne(BroadcastRecipient, { broadcast: broadcastId, status: 'failed', errorCode, messageId: { $ne: null } }, { fields: ['messageId'] });
    if (!one?.messageId) return null;
    const message = await em.findOne(Message, { id: one.messageId }, { fields: ['error'] });
    return message?.error?.code ?? null;
  }

  /** What one recipient would get: their parameters and the text, or why they would be skipped. */
  async preview(principal: Principal, id: string, recipient: { recipientId?: string; phone?: string }) {
    const em = this.orm.em.fork();
    const b = await this.get(principal, id, em);
    const r = await em.findOne(BroadcastRecipient, { ...recipientsOf(b.id), ...(recipient.recipientId ? { id: recipient.recipientId } : { phone: recipient.phone }) });
    if (!r) throw new ObrolError('NOT_FOUND', 'That recipient is not in this broadcast.');
    const template = await this.templateFor(em, b.channelAccount.id, b.templateName, b.templateLanguage);
    const plan = await this.planOf(em, b, template, r);
    const resolved = await this.channels.resolve(b.channelAccount.id);
    const text = plan.parameters && resolved.plugin.templates ? resolved.plugin.templates.render(definitionOf(template), plan.parameters) : null;
    return { recipient: recipientView(r), status: plan.status, reason: plan.reason, reasonCode: plan.reasonCode, reasonParams: plan.reasonParams, parameters: plan.parameters, text };
  }

  /** Checks every recipient as start would, without storing anything: counts and a few examples of each problem. */
  async validate(principal: Principal, id: string) {
    const em = this.orm.em.fork();
    const b = await this.get(principal, id, em);
    const template = await this.templateFor(em, b.channelAccount.id, b.templateName, b.templateLanguage);
    const counts = { total: 0, ready: 0, skipped: 0, suppressed: 0 };
    const examples: { phone: string; csvRow: number | null; status: string; reason: string; reasonCode: RecipientReasonCode; reasonParams: Record<string, string | number> }[] = [];
    // What stops the whole broadcast: a stable code with its parameters (the apps translate it), and in English.
    const problems: { code: 'TEMPLATE_NOT_APPROVED' | 'HEADER_MEDIA_UNMAPPED'; params: Record<string, string>; message: string }[] = [];
    if (template.status !== 'APPROVED') problems.push({ code: 'TEMPLATE_NOT_APPROVED', params: { status: template.status }, message: `The template is ${template.status}, not APPROVED.` });
    const media = template.components.header && template.components.header.format !== 'TEXT';
    if (media && !b.variables.headerMedia) {
      problems.push({ code: 'HEADER_MEDIA_UNMAPPED', params: { media: template.components.header!.format.toLowerCase() }, message: 'The template has a media header; upload its file or map its link (variables.headerMedia).' });
    }
    await em.transactional(async (tx) => {
      if (b.status === 'draft') await this.engine.chooseContacts(tx, b);
      let after = '';
      for (;;) {
        // Unmanaged: the unit of work would otherwise hold every recipient of the audience by the end.
        const chunk = await tx.find(BroadcastRecipient, { ...recipientsOf(b.id), id: { $gt: after } }, { orderBy: { id: 'asc' }, limit: 1000, disableIdentityMap: true });
        if (chunk.length === 0) break;
        after = chunk.at(-1)!.id;
        const contacts = await this.engine.contactsOf(tx, b, chunk);
        for (const r of chunk) {
          const contact = contacts.get(r.phone) ?? null;
          const plan = this.engine.planFor(b, template, r, contact);
          counts.total += 1;
          if (plan.status === 'pending') counts.ready += 1;
          else {
            counts[plan.status] += 1;
            if (examples.filter((e) => e.status === plan.status).length < EXAMPLES) examples.push({ phone: r.phone, csvRow: r.csvRow, status: plan.status, reason: plan.reason, reasonCode: plan.reasonCode, reasonParams: plan.reasonParams });
          }
        }
      }
      // Validation stores nothing: the contacts added to count them go with the rollback.
      throw new DryRun();
    }).catch((error) => {
      if (!(error instanceof DryRun)) throw error;
    });
    return { ok: problems.length === 0 && counts.ready > 0, problems, counts, examples };
  }

  /** Cost by country × category from the configured price table, and time at the pace and daily limit. */
  async estimate(principal: Principal, id: string) {
    const em = this.orm.em.fork();
    const b = await this.get(principal, id, em);
    const template = await this.templateFor(em, b.channelAccount.id, b.templateName, b.templateLanguage);
    const rows = (await em.getConnection().execute(
      `select country, count(*) as n from broadcast_recipients where broadcast_id = ? and ${inItsAudience()} and status in (?, ?, ?) group by country`,
      [b.id, b.id, 'pending', 'queued', 'deferred'],
    )) as { country: string | null; n: number | string }[];
    const category = template.category;
    const byCountry = rows.map((row) => {
      const count = Number(row.n);
      const price = this.options.prices[row.country ?? '*']?.[category] ?? this.options.prices['*']?.[category] ?? null;
      return { country: row.country, count, unitPrice: price, cost: price === null ? null : Math.round(price * count * 10_000) / 10_000 };
    });
    const messages = byCountry.reduce((s, c) => s + c.count, 0);
    const priced = byCountry.every((c) => c.cost !== null);
    const seconds = Math.ceil(messages / b.messagesPerSecond);
    const dailyLimit = dailyLimitOf(this.options.dailyLimit, b.channelAccount.lastCheck?.details?.['messagingLimit']);
    const days = dailyLimit ? Math.ceil(messages / dailyLimit) : 1;
    return {
      messages,
      category,
      currency: this.options.currency,
      totalCost: priced ? Math.round(byCountry.reduce((s, c) => s + (c.cost ?? 0), 0) * 10_000) / 10_000 : null,
      byCountry,
      duration: {
        seconds: days > 1 ? null : seconds,
        days,
        text:
          days > 1
            ? `about ${days} days at ${dailyLimit!.toLocaleString('en-US')} per day`
            : `about ${seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`} at ${b.messagesPerSecond} per second`,
      },
    };
  }

  private async planOf(em: EntityManager, b: Broadcast, template: Template, r: BroadcastRecipient) {
    const contact = (await this.engine.contactsOf(em, b, [r])).get(r.phone) ?? null;
    return this.engine.planFor(b, template, r, contact);
  }


  /** An uploaded header file must be one stored for this channel account, of the header's kind. */
  private async assertHeaderFile(em: EntityManager, channelAccountId: string, variables: VariableMapping): Promise<void> {
    const header = variables.headerMedia;
    if (!header || !('mediaId' in header)) return;
    const file = await em.findOne(MediaObject, { id: header.mediaId, channelAccountId });
    const field = 'variables.headerMedia.mediaId';
    if (!file) throw new ObrolError('MEDIA_NOT_FOUND', `No file ${header.mediaId} was uploaded to this number; upload it with POST /api/v1/media?channelAccountId=… first.`, { problems: [{ field, message: 'unknown on this channel account' }] });
    const family = file.mimeType.split('/')[0];
    const fits = header.type === 'document' ? family !== 'image' && family !== 'video' && family !== 'audio' : family === header.type;
    if (!fits) throw new ObrolError('VALIDATION_FAILED', `The header is a ${header.type}, but the file is ${file.mimeType}.`, { problems: [{ field, message: `not a ${header.type}` }] });
  }

  private async templateFor(em: EntityManager, channelAccountId: string, name: string, language: string): Promise<Template> {
    const t = await em.findOne(Template, { channelAccount: channelAccountId, name, language });
    if (!t) throw new ObrolError('TEMPLATE_NOT_FOUND', `There is no template "${name}" in ${language} on this number. Sync templates or pick another.`);
    return t;
  }

  private pace(asked: number | undefined): number {
    return Math.min(asked ?? this.options.defaultMessagesPerSecond, this.options.maxMessagesPerSecond);
  }

  private assertStatus(b: Broadcast, allowed: BroadcastStatus[], what: string): void {
    if (!allowed.includes(b.status)) throw this.stateInvalid(b, allowed, what);
  }

  private stateInvalid(b: Broadcast, allowed: BroadcastStatus[], what: string): ObrolError {
    return new ObrolError('BROADCAST_STATE_INVALID', `A ${b.status} broadcast cannot be ${what}; it must be ${allowed.join(' or ')}.`, { status: b.status });
  }
}

/** Thrown to roll back a transaction that only looked. */
class DryRun extends Error {}
