import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type EntityManager, type FilterQuery, MikroORM } from '@mikro-orm/core';
import {
  type ChannelError,
  type Clock,
  type OutgoingEvent,
  type MessageStatus,
  type TemplateParameters,
  commands,
  facts,
  isStatusAdvance,
  liveEvents,
  previewOf,
  restrictionInForce,
} from '@obrol/contracts';
import {
  CLOCK,
  type ChannelAccount,
  ChannelsService,
  MediaService,
  Contact,
  newId,
  OutboxWriter,
  outboxRow,
  ContactsService,
  ConversationsService,
  Every,
  Message,
  Template,
  TenantsService,
  definitionOf,
  recordEvent,
  recordLive,
} from '@obrol/core';
import { BROADCAST_OPTIONS, type BroadcastOptions } from '../broadcast-options.js';
import { BroadcastRecipient, inItsAudience, recipientsOf } from './broadcast-recipient.entity.js';
import { Broadcast } from './broadcast.entity.js';
import type { BroadcastStatus, RecipientStatus } from './broadcast.schemas.js';
import { type CounterShift, shiftCounters } from './broadcast-counters.js';
import { countersOf } from './broadcast.view.js';
import { optedOut, planRecipient } from './recipient.plan.js';
import { type FollowedRecipient, type PlannedRecipient, type RecipientMove, RecipientMovesWriter } from './recipient-moves.writer.js';
import { dailyLimitOf } from '../pacing/daily-limit.js';
import { handOutRoom } from '../pacing/hand-out-room.js';
import { type BroadcastReason, broadcastReasons, reasonColumns, setReason } from './broadcast-reason.js';
import { BroadcastHandOutWriter, type QueuedBroadcastMessage, type RecipientQueued } from './broadcast-hand-out.writer.js';
import { AudienceFilterWriter, choosesContacts } from '../audience/audience-filter.writer.js';
import { countryOfNumber } from '../audience/phone-country.js';

/** How far `planAhead` planned a broadcast's audience before its start, and on what (`freeze` goes on from there). */
export interface PlannedAhead {
  after: string;
  counts: CounterShift;
  fingerprint: string;
}

/**
 * What a resume did: resumed, or not — the broadcast was not paused (any more), or its caller
 * found it must stay paused — or `problem` says what keeps it paused.
 */
export type ResumeOutcome = { resumed: true } | { resumed: false; problem: BroadcastReason | null };
const NOT_RESUMED: ResumeOutcome = { resumed: false, problem: null };

/** A message's status, as `follow` is told it. */
export interface FollowedStatus {
  messageId: string;
  status: MessageStatus;
  error: ChannelError | null;
}

const CHUNK = 1000;
/** Contacts of the number a filter looks through per short transaction while its audience is planned ahead. */
const CONTACT_WINDOW = 5_000;
/** At most one `broadcast.progress` live event per broadcast in this interval, per process. */
const PROGRESS_INTERVAL_MS = 500;
/** A broadcast message queued this long without an attempt, while its broadcast runs, is sent again. */
const HELD_FOR_MS = 60_000;
/** Tries of one recipient move that keeps losing to concurrent moves of the same recipient. */
const FOLLOW_ATTEMPTS = 5;
/** Statuses moved in one transaction at most; the rest go in the next. */
const FOLLOW_BATCH = 1_000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A number's messages of the last 24 hours are counted again after this long. */
const DAILY_USE_TTL_MS = 5_000;

type BroadcastFactBuilder = (tenant: string, data: Parameters<typeof facts.broadcastStarted>[1]) => OutgoingEvent;
const FACT_OF: Partial<Record<BroadcastStatus | 'resumed', BroadcastFactBuilder>> = {
  running: facts.broadcastStarted,
  paused: facts.broadcastPaused,
  resumed: facts.broadcastResumed,
  completed: facts.broadcastCompleted,
  cancelled: facts.broadcastCancelled,
};

/** A message's status as the recipient's (a recipient moves only forward, like its message). */
const RECIPIENT_OF: Partial<Record<MessageStatus, RecipientStatus>> = { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed' };

/**
 * The broadcast engine: freezes the audience at start, hands recipients to the core's send
 * pipeline as messages (one per recipient, created once, in the transaction that claims it),
 * follows their statuses, retries Meta's marketing-limit refusals a day later, and finishes.
 * Sends themselves go through the core's send consumer, paced by `BroadcastSendGate`.
 */
@Injectable()
export class BroadcastEngine implements OnModuleDestroy {
  private readonly logger = new Logger('BroadcastEngine');
  /** Per broadcast: when its last progress event went out (wall clock), and the timer of the next one. */
  private readonly progress = new Map<string, { sentAt: number; timer?: ReturnType<typeof setTimeout> }>();
  /** Per number: its broadcast messages of the last 24 hours, and when they were counted. */
  private readonly dailyUse = new Map<string, { at: number; count: number }>();
  /** Statuses to follow, collected while the batch before them is moved, and moved together. */
  private readonly statusesToFollow: { status: FollowedStatus; resolve(moved: boolean): void; reject(error: unknown): void }[] = [];
  private followScheduled = false;
  /** A batch of statuses is being moved: the next waits for it. */
  private following = false;
  /** Set when the process shuts down: a plan in progress stops between two chunks, and its broadcast stays due. */
  private stopping = false;
  /** Broadcasts this process plans ahead of their start: recipients planned so far, of those uploaded (sent live with the progress). */
  private readonly planning = new Map<string, { planned: number; of: number }>();

  constructor(
    private readonly orm: MikroORM,
    private readonly channels: ChannelsService,
    private readonly contacts: ContactsService,
    private readonly conversations: ConversationsService,
    private readonly tenants: TenantsService,
    private readonly media: MediaService,
    private readonly handOutSql: BroadcastHandOutWriter,
    private readonly outbox: OutboxWriter,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(BROADCAST_OPTIONS) private readonly options: BroadcastOptions,
    private readonly moves: RecipientMovesWriter,
    private readonly filterSql: AudienceFilterWriter,
  ) {}

  /**
   * Records the broadcast's fact and its live progress, in the caller's transaction. The tenant's
   * slug is looked up before: on SQLite's single connection a lookup inside the transaction would wait for it forever.
   */
  record(em: EntityManager, tenant: string, b: Broadcast, event: BroadcastStatus | 'resumed' | 'progress'): void {
    const data = { broadcastId: b.id, channelAccountId: b.channelAccount.id, name: b.name, status: b.status, reason: b.reason, reasonCode: b.reasonCode, reasonParams: b.reasonParams, counters: countersOf(b) };
    const live = liveEvents.broadcastProgress(tenant, { channelAccountId: b.channelAccount.id, data: { ...data, planning: this.planning.get(b.id) ?? null } });
    const fact = event === 'progress' ? undefined : FACT_OF[event];
    if (fact) recordEvent(em, tenant, this.clock.now(), fact(tenant, data), live);
    else recordLive(em, tenant, this.clock.now(), live);
  }

  /**
   * Sends the broadcast's counters live after they changed, at most every 500 ms: deliveries and
   * reads keep arriving after the broadcast completed, so this follows the counters, not the status.
   */
  progressChanged(broadcastId: string): void {
    const last = this.progress.get(broadcastId);
    if (last?.timer) return;
    const wait = last ? Math.max(0, last.sentAt + PROGRESS_INTERVAL_MS - Date.now()) : 0;
    const timer = setTimeout(() => void this.publishProgress(broadcastId), wait);
    this.progress.set(broadcastId, { sentAt: last?.sentAt ?? 0, timer });
  }

  private async publishProgress(broadcastId: string): Promise<void> {
    const sentAt = Date.now();
    this.progress.set(broadcastId, { sentAt });
    // Forgotten once the interval has passed without a change, so the map holds only busy broadcasts.
    setTimeout(() => {
      if (this.progress.get(broadcastId)?.sentAt === sentAt && !this.progress.get(broadcastId)?.timer) this.progress.delete(broadcastId);
    }, PROGRESS_INTERVAL_MS).unref();
    try {
      const em = this.orm.em.fork();
      const b = await em.findOne(Broadcast, broadcastId, { populate: ['channelAccount'] });
      if (!b) return;
      this.record(em, await this.tenants.slugOf(b.tenantId), b, 'progress');
      await em.flush();
    } catch (e) {
      this.logger.warn(`progress of broadcast ${broadcastId} not sent: ${(e as Error).message}`);
    }
  }

  onModuleDestroy(): void {
    this.stopping = true;
    for (const { timer } of this.progress.values()) clearTimeout(timer);
    this.progress.clear();
  }

  /**
   * How many recipients a start would plan, at most: the uploaded ones, and the contacts its
   * filter names, or every contact of the number when it filters by tags or attributes.
   */
  async audienceSize(em: EntityManager, b: Broadcast): Promise<number> {
    // The uploaded rows only: contacts an earlier plan chose (no CSV row) are counted below.
    const uploaded = await em.count(BroadcastRecipient, { ...recipientsOf(b.id), csvRow: { $ne: null } });
    const filter = b.audienceFilter;
    if (!filter) return uploaded;
    if (filter.tags?.length || filter.attributes) return uploaded + (await em.count(Contact, { channelAccount: b.channelAccount.id }));
    return uploaded + (filter.contactIds?.length ?? 0);
  }

  /** The template as stored, or null. */
  async templateOf(em: EntityManager, b: Broadcast): Promise<Template | null> {
    return em.findOne(Template, { channelAccount: b.channelAccount.id, name: b.templateName, language: b.templateLanguage });
  }

  /**
   * Replaces the recipients an earlier choice of the filter added with the contacts it chooses
   * now, in `em`'s transaction: one delete and one `insert … select` in the database, which
   * matches the tags and attributes, whatever the number of contacts (ADR 0042).
   */
  async chooseContacts(em: EntityManager, b: Broadcast): Promise<void> {
    await this.filterSql.forget(em, b.id);
    if (choosesContacts(b.audienceFilter)) await this.filterSql.choose(em, { id: b.id, channelAccountId: b.channelAccount.id }, b.audienceFilter, { after: '', upto: null });
  }

  /**
   * `chooseContacts` ahead of the start, a window of the number's contacts per short transaction
   * (SQLite's one writer is free between two), each of which first checks, and on PostgreSQL
   * locks, that the broadcast is still in `from` and unchanged. False when it changed, or the
   * process stops: the start then chooses them itself.
   */
  private async chooseContactsAhead(b: Broadcast, from: BroadcastStatus): Promise<boolean> {
    const still = (tx: EntityManager) => this.filterSql.lock(tx, b.id, { status: from, updatedAt: b.updatedAt });
    const forgotten = await this.orm.em.fork().transactional(async (tx) => {
      if (!(await still(tx))) return false;
      await this.filterSql.forget(tx, b.id);
      return true;
    });
    const filter = b.audienceFilter;
    if (!forgotten || !choosesContacts(filter)) return forgotten;
    const broadcast = { id: b.id, channelAccountId: b.channelAccount.id };
    let after = '';
    for (;;) {
      if (this.stopping) return false;
      const window = await this.orm.em.fork().transactional(async (tx) => {
        if (!(await still(tx))) return null;
        // Ids (at most 10,000) bound the work: one statement. Tags and attributes look at every contact.
        const upto = filter.contactIds?.length ? null : await this.filterSql.windowEnd(tx, broadcast.channelAccountId, after, CONTACT_WINDOW);
        await this.filterSql.choose(tx, broadcast, filter, { after, upto });
        return { upto };
      });
      if (!window) return false;
      if (window.upto === null) return true;
      after = window.upto;
      await nextTurn();
    }
  }

  /**
   * Plans the audience of a broadcast still in `from` ahead of its start, a chunk per short
   * transaction: on SQLite the one writer is taken for a chunk at a time, not for the whole
   * audience (30,000 recipients held every other request of the process for 1.4 s in one
   * transaction). Returns where it stopped and what it counted, for `freeze` to go on from; null
   * when there is nothing to plan ahead (not in `from`, no approved template, or the broadcast
   * changed while planning: `freeze` then plans everything itself).
   */
  async planAhead(id: string, from: BroadcastStatus): Promise<PlannedAhead | null> {
    const em = this.orm.em.fork();
    const b = await em.findOne(Broadcast, { id, status: from }, { populate: ['channelAccount'] });
    if (!b) return null;
    const template = await this.templateOf(em, b);
    if (!template || template.status !== 'APPROVED') return null;
    // The filter's contacts join the audience first, so that they are planned ahead too.
    if (!(await this.chooseContactsAhead(b, from))) return null;
    const { fingerprint, recipients } = await this.audienceFingerprint(em, b);
    const counts: CounterShift = { total: 0, pending: 0, skipped: 0, suppressed: 0 };
    let after = '';
    try {
      for (;;) {
        if (this.stopping) return null;
        const next = await this.orm.em.fork().transactional(async (tx) => {
          // Still the broadcast it was: a change (a new audience, another mapping, a start elsewhere) ends planning ahead.
          const still = await tx.findOne(Broadcast, { id, status: from }, { fields: ['updatedAt'], disableIdentityMap: true });
          if (!still || still.updatedAt.getTime() !== b.updatedAt.getTime()) return null;
          return this.planChunk(tx, b, template, after, counts);
        });
        if (next === null) return null;
        if (next === after) return { after, counts, fingerprint };
        after = next;
        // How far a start planned by a worker got, for the live page (a million recipients take a minute or two).
        this.planning.set(id, { planned: counts.total!, of: recipients });
        this.progressChanged(id);
        // A turn of the event loop between two chunks: the pool hands the connection to whoever
        // waits for it then. Without it, the next chunk's transaction asks first every time, and
        // on SQLite's one connection no other request got a query in until the plan was done.
        await nextTurn();
      }
    } finally {
      this.planning.delete(id);
    }
  }

  /**
   * Freezes the audience (start, or a scheduled start coming due): filtered contacts become
   * recipients, every recipient gets its parameters or is skipped or suppressed with the
   * reason, and the counters are set. Runs in the transaction that moves the broadcast to running.
   * With `ahead` (`planAhead`), the recipients it chose and planned are kept as long as the
   * audience is the one it planned; otherwise the filter's contacts are chosen again and everyone
   * is planned here.
   */
  async freeze(em: EntityManager, b: Broadcast, template: Template, ahead?: PlannedAhead | null): Promise<void> {
    // Locked before the audience is compared: a plan ahead on another worker still choosing
    // contacts (PostgreSQL) finishes its window first, or finds this start and stops.
    await this.filterSql.lock(em, b.id);
    const kept = ahead && ahead.fingerprint === (await this.audienceFingerprint(em, b)).fingerprint ? ahead : null;
    const counts: CounterShift = kept ? { ...kept.counts } : { total: 0, pending: 0, skipped: 0, suppressed: 0 };
    let after = kept?.after ?? '';
    if (!kept) await this.chooseContacts(em, b);
    for (;;) {
      const next = await this.planChunk(em, b, template, after, counts);
      if (next === after) break;
      after = next;
    }
    Object.assign(b, { total: counts.total, pending: counts.pending, skipped: counts.skipped, suppressed: counts.suppressed, queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, deferred: 0 });
  }

  /**
   * Plans the next chunk of recipients after `after` (by id) in `em`'s transaction, adding to
   * `counts`; returns the last id planned (`after` when none was left). Every recipient of a
   * broadcast not started yet is planned again, skipped and suppressed ones too: a start that
   * did not happen may have planned them under another mapping.
   */
  private async planChunk(em: EntityManager, b: Broadcast, template: Template, after: string, counts: CounterShift): Promise<string> {
    // Read unmanaged and written by hand: managed, every chunk stayed in the unit of work, and
    // each flush looked at all the chunks before it (30,000 recipients took 5.6 s to start).
    const chunk = await em.find(
      BroadcastRecipient,
      { ...recipientsOf(b.id), status: { $in: ['pending', 'skipped', 'suppressed'] }, id: { $gt: after } },
      { orderBy: { id: 'asc' }, limit: CHUNK, disableIdentityMap: true },
    );
    if (chunk.length === 0) return after;
    const contacts = await this.contactsOf(em, b, chunk);
    const planned: PlannedRecipient[] = [];
    for (const r of chunk) {
      const contact = contacts.get(r.phone) ?? null;
      const country = r.country ?? countryOfNumber(r.phone);
      const plan = this.planFor(b, template, { phone: r.phone, country, columns: r.columns }, contact);
      planned.push({
        id: r.id,
        status: plan.status,
        reason: plan.reason,
        reasonCode: plan.reasonCode,
        reasonParams: plan.reasonParams,
        parameters: plan.parameters,
        contactId: contact?.id ?? r.contactId,
        country,
      });
      counts[plan.status] = (counts[plan.status] ?? 0) + 1;
      counts.total! += 1;
    }
    await this.moves.planned(em, planned);
    return chunk.at(-1)!.id;
  }

  /** What `r` gets from this broadcast (`planRecipient`): its parameters, or why it is skipped or suppressed. */
  planFor(b: Broadcast, template: Template, r: Pick<BroadcastRecipient, 'phone' | 'country' | 'columns'>, contact: Pick<Contact, 'optedOutAt' | 'name' | 'phone' | 'attributes'> | null) {
    return planRecipient({
      mapping: b.variables,
      templateCategory: template.category,
      // A contact a filter chose has no uploaded row to take its country from: its number (E.164) says it.
      country: r.country ?? countryOfNumber(r.phone),
      marketingBlockedCountries: this.options.marketingBlockedCountries,
      optedOutAt: contact?.optedOutAt ?? null,
      headerMediaProviderId: b.headerMediaProviderId,
      columns: r.columns,
      contact: contact ? { name: contact.name, phone: contact.phone, attributes: contact.attributes } : null,
    });
  }

  /** What a plan ahead is valid for: the broadcast as it was (any update, a new audience too, moves `updatedAt`) and its recipients, by number and last id. */
  private async audienceFingerprint(em: EntityManager, b: Broadcast): Promise<{ fingerprint: string; recipients: number }> {
    // In `em`'s transaction, if any: on SQLite's one connection a query outside it would wait for it forever.
    const [row] = await em.getConnection().execute<{ n: number | string; last: string | null }[]>(
      `select count(*) as n, max(id) as last from broadcast_recipients where broadcast_id = ? and ${inItsAudience()}`,
      [b.id, b.id],
      'all',
      em.getTransactionContext(),
    );
    const recipients = Number(row?.n ?? 0);
    return { fingerprint: `${b.updatedAt.getTime()}:${recipients}:${row?.last ?? ''}`, recipients };
  }

  /** The stored contacts of these recipients, by phone. */
  async contactsOf(em: EntityManager, b: Broadcast, recipients: BroadcastRecipient[]): Promise<Map<string, Contact>> {
    const found = new Map<string, Contact>();
    const ids = recipients.map((r) => r.phone.slice(1));
    // Read only: unmanaged, so a chunk after chunk leaves nothing in the caller's unit of work.
    for (const c of await em.find(Contact, { channelAccount: b.channelAccount.id, externalId: { $in: ids } }, { disableIdentityMap: true })) found.set(`+${c.externalId}`, c);
    return found;
  }

  /**
   * Each worker hands the next recipients of every running broadcast to the sender, a little
   * ahead of the pace, within the broadcast's share of what the sender holds at once, and within
   * what the number's daily limit leaves (`handOutRoom`).
   */
  @Every({ name: 'broadcast dispatch', intervalMs: (self: BroadcastEngine) => self.options.dispatchIntervalMs, roles: ['worker'] })
  async dispatch(): Promise<number> {
    const running = await this.orm.em.fork().find(Broadcast, { status: 'running', pending: { $gt: 0 } }, { populate: ['channelAccount'] });
    const totalPerSecond = running.reduce((sum, b) => sum + b.messagesPerSecond, 0);
    let handed = 0;
    for (const b of running) {
      const daily = await this.dailyRoom(b.channelAccount);
      await this.noteDailyLimit(b, daily);
      const room = handOutRoom(b, totalPerSecond, daily?.room);
      const claimed = room > 0 ? await this.handOut(b.id, room) : 0;
      if (claimed > 0) {
        this.progressChanged(b.id);
        const used = this.dailyUse.get(b.channelAccount.id);
        if (used) used.count += claimed;
      }
      handed += claimed;
    }
    return handed;
  }

  /**
   * What the number's daily limit of business-initiated messages leaves for the next 24 hours,
   * or null when it has none. Counts the messages its broadcasts created in the last 24 hours
   * (read again every few seconds; hand-outs in between are added here), an upper bound of
   * Meta's count of customers reached.
   */
  private async dailyRoom(account: ChannelAccount): Promise<{ limit: number; room: number } | null> {
    const limit = dailyLimitOf(this.options.dailyLimit, account.lastCheck?.details?.['messagingLimit']);
    if (limit === null) return null;
    const now = this.clock.now().getTime();
    let used = this.dailyUse.get(account.id);
    if (!used || now - used.at > DAILY_USE_TTL_MS) {
      used = { at: now, count: await this.createdToday(account.id, new Date(now - DAY_MS)) };
      this.dailyUse.set(account.id, used);
    }
    return { limit, room: Math.max(0, limit - used.count) };
  }

  private async createdToday(channelAccountId: string, since: Date): Promise<number> {
    const em = this.orm.em.fork();
    const broadcasts = await em.find(
      Broadcast,
      { channelAccount: channelAccountId, $or: [{ status: { $in: ['running', 'paused'] } }, { finishedAt: { $gte: since } }] },
      { fields: ['id'] },
    );
    if (broadcasts.length === 0) return 0;
    return em.count(Message, { broadcastId: { $in: broadcasts.map((b) => b.id) }, direction: 'outbound', createdAt: { $gte: since } });
  }

  /** Says on the broadcast that it waits for the daily limit (it stays running), and takes it back once sending goes on. */
  private async noteDailyLimit(b: Broadcast, daily: { limit: number; room: number } | null): Promise<void> {
    const waiting = daily !== null && daily.room === 0;
    const says = b.reasonCode === 'DAILY_LIMIT';
    if (waiting === says) return;
    const reason = waiting ? broadcastReasons.dailyLimit(daily!.limit) : null;
    const moved = await this.orm.em.fork().nativeUpdate(Broadcast, { id: b.id, status: 'running' }, reasonColumns(reason));
    setReason(b, reason);
    if (moved) this.progressChanged(b.id);
  }

  /**
   * Claims up to `limit` pending recipients and creates their messages and send commands in one
   * transaction: a recipient gets exactly one message per attempt, whatever crashes. Set-based
   * (ADR 0027): a handful of statements per few hundred recipients, whatever the batch's size.
   */
  async handOut(broadcastId: string, limit: number): Promise<number> {
    const em = this.orm.em.fork();
    const found = await em.findOne(Broadcast, broadcastId, { populate: ['channelAccount'] });
    if (!found) return 0;
    // Looked up before the transaction: on SQLite's single connection a lookup inside it would wait forever.
    const resolved = await this.channels.resolve(found.channelAccount.id);
    const tenant = await this.tenants.slugOf(found.tenantId);
    return em.transactional(async (tx) => {
      const b = await tx.findOne(Broadcast, { id: broadcastId, status: 'running' }, { populate: ['channelAccount'] });
      if (!b) return 0;
      const claimed = await this.handOutSql.claim(tx, b.id, limit);
      if (claimed.length === 0) return 0;
      const template = await this.templateOf(tx, b);
      const now = this.clock.now();
      const contacts = await this.contacts.findOrCreateMany(
        tx,
        resolved.account,
        claimed.map((r) => ({ externalId: r.phone.slice(1), phone: r.phone })),
      );
      // A customer who opted out since the audience was planned is suppressed, as at start, and gets no message.
      const suppressed: PlannedRecipient[] = [];
      const sending = claimed.filter((r) => {
        const contact = contacts.get(r.phone.slice(1))!;
        if (!contact.optedOutAt) return true;
        const problem = optedOut(contact.optedOutAt);
        suppressed.push({ id: r.id, status: 'suppressed', reason: problem.text, reasonCode: problem.code, reasonParams: problem.params, parameters: null, contactId: contact.id });
        return false;
      });
      // A broadcast shows in the customer's timeline without opening a conversation in the inbox.
      const reached = sending.map((r) => contacts.get(r.phone.slice(1))!.id);
      const conversations = await this.conversations.findOrCreateMany(tx, resolved, reached, 'resolved');
      // The template's definition once per hand-out, not once per recipient.
      const definition = template && resolved.plugin.templates ? definitionOf(template) : undefined;
      const render = definition ? (p: TemplateParameters) => resolved.plugin.templates!.render(definition, p) : () => undefined;
      const messages: QueuedBroadcastMessage[] = [];
      const previews: Array<{ conversationId: string; preview: string }> = [];
      const moves: RecipientQueued[] = [];
      const sends: ReturnType<typeof outboxRow>[] = [];
      for (const r of sending) {
        const contact = contacts.get(r.phone.slice(1))!;
        const conversationId = conversations.get(contact.id)!.id;
        const parameters = r.parameters ?? {};
        const content = { type: 'template' as const, template: { name: b.templateName, language: b.templateLanguage, parameters, renderedText: render(parameters) } };
        const messageId = newId();
        messages.push({ id: messageId, tenantId: b.tenantId, channelAccountId: b.channelAccount.id, conversationId, broadcastId: b.id, content, idempotencyKey: `broadcast-${r.id}-${r.attempts + 1}` });
        previews.push({ conversationId, preview: previewOf(content).slice(0, 255) });
        moves.push({ recipientId: r.id, messageId, contactId: contact.id });
        sends.push(outboxRow(tenant, now, commands.send(tenant, resolved.plugin.id, { messageId, channelAccountId: b.channelAccount.id, conversationId, attempt: 1 })));
      }
      await this.handOutSql.insertMessages(tx, messages);
      await this.handOutSql.touchConversations(tx, now, previews);
      await this.handOutSql.markQueued(tx, moves);
      await this.outbox.insert(tx, sends);
      await this.moves.planned(tx, suppressed);
      await shiftCounters(tx, b.id, { pending: -claimed.length, queued: sending.length, suppressed: suppressed.length });
      return claimed.length;
    });
  }

  /**
   * Moves the recipient of a broadcast message to its message's status, with the counters; only
   * forward. A 131049 refusal (Meta's per-customer marketing limit) is not a failure of ours: the
   * recipient is deferred and tried again no sooner than a day later. The statuses followed in
   * the same turn (a webhook batch's), and those that come while the batch before them is
   * moved, are moved together (`followMany`): under a broadcast's flood of receipts a batch
   * grows instead of the transactions multiplying. True when it moved.
   */
  follow(messageId: string, status: MessageStatus, error: ChannelError | null): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.statusesToFollow.push({ status: { messageId, status, error }, resolve, reject });
      this.followNext();
    });
  }

  /** Starts the next batch at the end of this turn, unless one is being moved (it starts the next when done). */
  private followNext(): void {
    if (this.followScheduled || this.following || this.statusesToFollow.length === 0) return;
    this.followScheduled = true;
    setImmediate(() => {
      this.followScheduled = false;
      const batch = this.statusesToFollow.splice(0, FOLLOW_BATCH);
      this.following = true;
      this.followMany(batch.map((b) => b.status))
        .then(
          (moved) => batch.forEach((b) => b.resolve(moved.has(b.status.messageId))),
          (error: unknown) => batch.forEach((b) => b.reject(error)),
        )
        .finally(() => {
          this.following = false;
          this.followNext();
        });
    });
  }

  /**
   * Moves the recipients of these statuses, in order, in one transaction per try: one read of
   * the recipients, one compare-and-set update, one counters update per broadcast. Statuses of
   * one message arrive in hooks that run side by side (the send's "sent" and Meta's "failed" a
   * few milliseconds later): a move that lost to another is read again and tried again, else
   * the later status would be lost. Returns the messages whose recipient moved.
   */
  async followMany(statuses: FollowedStatus[]): Promise<Set<string>> {
    const moved = new Set<string>();
    let left = statuses.filter((s) => RECIPIENT_OF[s.status]);
    for (let attempt = 0; attempt < FOLLOW_ATTEMPTS && left.length > 0; attempt++) {
      const { applied, lost } = await this.orm.em.fork().transactional((tx) => this.moveRecipients(tx, left));
      for (const move of applied) {
        moved.add(move.recipient.messageId);
        this.progressChanged(move.recipient.broadcastId);
      }
      left = left.filter((s) => lost.has(s.messageId));
    }
    for (const s of left) this.logger.warn(`recipient of message ${s.messageId} not moved to ${RECIPIENT_OF[s.status]}: it kept changing underneath`);
    return moved;
  }

  /**
   * A send the provider accepted moves its queued recipient to sent, with the counters, in `tx`:
   * the transaction that records the message as sent (see `BroadcastSendGate.accepted`), so the
   * two commit together and no hook after the commit is needed. One conditional update, no read:
   * a recipient a faster status moved already is left as it is.
   */
  async moveQueuedToSent(tx: EntityManager, broadcastId: string, messageId: string): Promise<void> {
    await this.moves.queuedToSent(tx, [{ broadcastId, messageId }]);
  }

  /**
   * One try of `followMany`: each recipient goes through its statuses in order, and its final
   * move is applied if it is still where it was read. `lost`: the messages whose move lost.
   */
  private async moveRecipients(tx: EntityManager, statuses: FollowedStatus[]): Promise<{ applied: RecipientMove[]; lost: Set<string> }> {
    const recipients = new Map((await this.moves.recipientsOf(tx, statuses.map((s) => s.messageId))).map((r) => [r.messageId, r]));
    const moves = new Map<string, RecipientMove>();
    for (const { messageId, status, error } of statuses) {
      const recipient = recipients.get(messageId);
      if (!recipient) continue;
      const earlier = moves.get(messageId);
      const next = this.moveOf(recipient, earlier?.to ?? recipient.status, RECIPIENT_OF[status]!, error);
      if (next) moves.set(messageId, next);
    }
    const applied = await this.moves.move(tx, [...moves.values()]);
    const appliedIds = new Set(applied.map((m) => m.recipient.messageId));
    return { applied, lost: new Set([...moves.keys()].filter((id) => !appliedIds.has(id))) };
  }

  /** Where a recipient now in `current` goes on `next`, or null when that is no move forward. */
  private moveOf(recipient: FollowedRecipient, current: RecipientStatus, next: RecipientStatus, error: ChannelError | null): RecipientMove | null {
    if (!this.advances(current, next)) return null;
    const deferral = next === 'failed' && String(error?.providerCode) === '131049' && recipient.attempts <= this.options.marketingLimitRetries;
    // Refused by the gate because the broadcast was cancelled: never sent, so skipped rather than failed.
    const cancelled = next === 'failed' && error?.code === 'BROADCAST_STATE_INVALID';
    // Refused by the gate because the customer opted out meanwhile: suppressed, as at start.
    const optedOutOn = next === 'failed' && error?.code === 'RECIPIENT_OPTED_OUT' ? (error.details as { date?: string } | undefined)?.date : undefined;
    if (optedOutOn) {
      const problem = optedOut(new Date(optedOutOn));
      return { recipient, to: 'suppressed', reason: problem.text, reasonCode: problem.code, reasonParams: problem.params, errorCode: error!.code, nextAttemptAt: null };
    }
    return {
      recipient,
      to: deferral ? 'deferred' : cancelled ? 'skipped' : next,
      reason: error ? error.message : null,
      errorCode: error ? String(error.providerCode ?? error.code) : null,
      nextAttemptAt: deferral ? new Date(this.clock.now().getTime() + this.options.marketingLimitDelayMs) : null,
    };
  }

  private advances(current: RecipientStatus, next: RecipientStatus): boolean {
    if (current === 'queued') return true;
    if (current === 'sent' || current === 'delivered' || current === 'read' || current === 'failed') return isStatusAdvance(current, next as MessageStatus);
    return false;
  }

  /**
   * Repairs what an in-process status hook lost (a crash between the commit and the hook):
   * recipients whose message moved on without them. Cheap when nothing is lost: it reads only
   * recipients still queued of running broadcasts.
   */
  @Every({ name: 'broadcast status repair', intervalMs: 5_000, roles: ['worker'] })
  async repair(): Promise<number> {
    const em = this.orm.em.fork();
    const running = await em.find(Broadcast, { status: { $in: ['running', 'paused'] }, queued: { $gt: 0 } }, { fields: ['id'] });
    let repaired = 0;
    for (const b of running) {
      const stale = await em.find(BroadcastRecipient, { broadcast: b.id, status: 'queued', updatedAt: { $lt: new Date(this.clock.now().getTime() - 5_000) } }, { limit: CHUNK, fields: ['id', 'messageId'] });
      const ids = stale.map((r) => r.messageId).filter((id): id is string => !!id);
      if (ids.length === 0) continue;
      const messages = await em.find(Message, { id: { $in: ids }, status: { $ne: 'queued' } }, { fields: ['id', 'status', 'error'] });
      for (const m of messages) if (await this.follow(m.id, m.status, m.error)) repaired += 1;
    }
    return repaired;
  }

  /** Deferred recipients whose day has passed become pending again; a completed broadcast with some runs again. */
  @Every({ name: 'broadcast deferred retries', intervalMs: 60_000, roles: ['worker'] })
  async retryDeferred(): Promise<number> {
    const em = this.orm.em.fork();
    const due = await em.find(BroadcastRecipient, { status: 'deferred', nextAttemptAt: { $lte: this.clock.now() } }, { limit: CHUNK, populate: ['broadcast'] });
    for (const r of due) {
      await em.transactional(async (tx) => {
        const moved = await tx.nativeUpdate(BroadcastRecipient, { id: r.id, status: 'deferred' }, { status: 'pending', messageId: null, updatedAt: this.clock.now() });
        if (moved) await shiftCounters(tx, r.broadcast.id, { deferred: -1, pending: 1 });
      });
      this.progressChanged(r.broadcast.id);
    }
    return due.length;
  }

  /**
   * Starts scheduled broadcasts that came due, and those started with an audience too large to
   * plan while the start waited (ADR 0033). A job of its own: a plan of a million recipients
   * takes a while, and completions go on meanwhile.
   */
  @Every({ name: 'broadcast schedule', intervalMs: 1_000, roles: ['worker'] })
  async launchDue(): Promise<void> {
    const due = await this.orm.em.fork().find(Broadcast, { status: 'scheduled', scheduledAt: { $lte: this.clock.now() } }, { fields: ['id'], orderBy: { scheduledAt: 'asc' } });
    for (const b of due) await this.launch(b.id, 'scheduled');
  }

  /** Completes running broadcasts with nothing left to send. */
  @Every({ name: 'broadcast completion', intervalMs: 1_000, roles: ['worker'] })
  async completeFinished(): Promise<void> {
    const em = this.orm.em.fork();
    const now = this.clock.now();
    for (const b of await em.find(Broadcast, { status: 'running', pending: 0, queued: 0, deferred: 0 }, { fields: ['id', 'tenantId'] })) {
      const tenant = await this.tenants.slugOf(b.tenantId);
      await em.fork().transactional(async (tx) => {
        // Of the workers completing it at once, one does (see `launch`).
        if (!(await tx.nativeUpdate(Broadcast, { id: b.id, status: 'running', pending: 0, queued: 0, deferred: 0 }, { status: 'running' }))) return;
        const current = await tx.findOne(Broadcast, { id: b.id, status: 'running', pending: 0, queued: 0, deferred: 0 }, { populate: ['channelAccount'] });
        if (!current) return;
        current.status = 'completed';
        current.finishedAt = now;
        this.record(tx, tenant, current, 'completed');
      });
    }
  }

  /**
   * Uploads the broadcast's header file to its channel once, before the audience freezes: every
   * message then names the provider's id instead of uploading the file again per recipient.
   * Null when done (or nothing to upload); otherwise why it failed, in words.
   */
  async uploadHeaderMedia(id: string): Promise<BroadcastReason | null> {
    const em = this.orm.em.fork();
    const b = await em.findOne(Broadcast, id, { populate: ['channelAccount'] });
    const header = b?.variables.headerMedia;
    if (!b || !header || !('mediaId' in header) || b.headerMediaProviderId) return null;
    const resolved = await this.channels.resolve(b.channelAccount.id);
    const upload = resolved.plugin.media?.upload;
    if (!upload) return broadcastReasons.headerUploadFailed('unsupported', `The ${resolved.plugin.displayName} channel cannot upload the header file.`);
    const file = await this.media.read(header.mediaId, b.channelAccount.id);
    if (!file) return broadcastReasons.headerUploadFailed('missing', `The header file is no longer stored on this number; upload it again.`);
    const result = await upload({ bytes: file.bytes, mimeType: file.media.mimeType, filename: file.media.filename ?? undefined }, resolved.context);
    if (!result.ok) return broadcastReasons.headerUploadFailed('refused', `WhatsApp did not take the header file: ${result.error.message}`);
    await em.nativeUpdate(Broadcast, { id }, { headerMediaProviderId: result.value.providerMediaId });
    return null;
  }

  /** Freezes and starts a draft (or a scheduled broadcast that came due). False when it was not in `from`. */
  async launch(id: string, from: 'draft' | 'scheduled'): Promise<boolean> {
    const tenant = await this.tenantOf(id);
    if (!tenant) return false;
    // Uploaded before the transaction: on SQLite's single connection a lookup inside it would wait forever.
    const uploadFailed = await this.uploadHeaderMedia(id);
    const ahead = uploadFailed ? null : await this.planAhead(id, from);
    // Shutting down mid-plan: not started here; a due broadcast is started by the next worker.
    if (this.stopping) return false;
    return this.orm.em.fork().transactional(async (tx) => {
      // Of the workers launching it at once (each worker's schedule job), one does: the update
      // locks the row on PostgreSQL, and the others, once it commits, find it no longer in `from`.
      // It leaves `updatedAt` alone, which the plan ahead's fingerprint reads.
      if (!(await tx.nativeUpdate(Broadcast, { id, status: from }, { status: from }))) return false;
      const b = await tx.findOne(Broadcast, { id, status: from }, { populate: ['channelAccount'] });
      if (!b) return false;
      if (uploadFailed) {
        b.status = 'paused';
        setReason(b, uploadFailed);
        this.record(tx, tenant, b, 'paused');
        return true;
      }
      const template = await this.templateOf(tx, b);
      if (!template || template.status !== 'APPROVED') {
        b.status = 'paused';
        setReason(b, broadcastReasons.templateNotApproved(b.templateName, b.templateLanguage, template?.status ?? 'missing'));
        this.record(tx, tenant, b, 'paused');
        return true;
      }
      await this.freeze(tx, b, template, ahead);
      b.status = 'running';
      setReason(b, null);
      b.startedAt = this.clock.now();
      this.record(tx, tenant, b, 'running');
      return true;
    });
  }

  /**
   * Sends the broadcast's messages held while it was paused again (queued, no attempt open), or
   * only those untouched since `before`. Each is touched, so that `requeueLost` leaves it alone.
   */
  async requeueHeld(em: EntityManager, tenant: string, channelId: string, b: Broadcast, before?: Date): Promise<number> {
    const now = this.clock.now();
    const held = await em.find(
      Message,
      { broadcastId: b.id, status: 'queued', sendStartedAt: null, ...(before ? { updatedAt: { $lt: before } } : {}) },
      { fields: ['id', 'conversation', 'sendAttempts'], limit: CHUNK },
    );
    for (const m of held) {
      recordEvent(em, tenant, now, commands.send(tenant, channelId, { messageId: m.id, channelAccountId: b.channelAccount.id, conversationId: m.conversation.id, attempt: m.sendAttempts + 1 }));
    }
    if (held.length) await em.nativeUpdate(Message, { id: { $in: held.map((m) => m.id) }, status: 'queued', sendStartedAt: null }, { updatedAt: now });
    return held.length;
  }

  /**
   * Sends again the messages of running broadcasts that waited a minute without an attempt: a
   * send command that found its broadcast paused was held, and a resume racing that verdict
   * must not strand the message until the core's ten-minute sweep. A duplicate command is harmless:
   * the send consumer opens one attempt per message.
   */
  @Every({ name: 'broadcast held sends', intervalMs: 15_000, roles: ['worker'] })
  async requeueLost(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - HELD_FOR_MS);
    const running = await this.orm.em.fork().find(Broadcast, { status: 'running', queued: { $gt: 0 } }, { populate: ['channelAccount'] });
    let requeued = 0;
    for (const found of running) {
      const tenant = await this.tenants.slugOf(found.tenantId);
      const { plugin } = await this.channels.resolve(found.channelAccount.id);
      requeued += await this.orm.em.fork().transactional(async (tx) => {
        const b = await tx.findOne(Broadcast, { id: found.id, status: 'running' }, { populate: ['channelAccount'] });
        return b ? this.requeueHeld(tx, tenant, plugin.id, b, before) : 0;
      });
    }
    if (requeued) this.logger.warn(`sent ${requeued} held broadcast message(s) again`);
    return requeued;
  }

  /** Pauses a running broadcast with a reason (by a person, or automatically); false when it was not running. */
  async pause(id: string, reason: BroadcastReason): Promise<boolean> {
    const tenant = await this.tenantOf(id);
    if (!tenant) return false;
    return this.orm.em.fork().transactional(async (tx) => {
      const b = await tx.findOne(Broadcast, { id, status: 'running' }, { populate: ['channelAccount'] });
      if (!b) return false;
      b.status = 'paused';
      setReason(b, reason);
      this.record(tx, tenant, b, 'paused');
      this.logger.warn(`broadcast ${id} paused: ${reason.text}`);
      return true;
    });
  }

  /**
   * Resumes a paused broadcast where it stopped: the one path of a person's resume and an
   * automatic one. A broadcast never started uploads its header file and freezes its audience
   * first; the messages held while it was paused are sent again (the sender opens one attempt
   * per message, so none goes twice). `mayResume`, asked in the transaction, lets the caller keep
   * it paused on what it reads there.
   */
  async resume(id: string, resumedBy: BroadcastReason | null, mayResume: (tx: EntityManager, b: Broadcast) => Promise<boolean> = async () => true): Promise<ResumeOutcome> {
    const found = await this.orm.em.fork().findOne(Broadcast, { id, status: 'paused' }, { fields: ['tenantId', 'channelAccount'] });
    if (!found) return NOT_RESUMED;
    // Looked up before the transaction: on SQLite's single connection a lookup inside it would wait forever.
    const tenant = await this.tenants.slugOf(found.tenantId);
    const { plugin } = await this.channels.resolve(found.channelAccount.id);
    const uploadFailed = await this.uploadHeaderMedia(id);
    if (uploadFailed) return { resumed: false, problem: uploadFailed };
    return this.orm.em.fork().transactional(async (tx): Promise<ResumeOutcome> => {
      const b = await tx.findOne(Broadcast, { id, status: 'paused' }, { populate: ['channelAccount'] });
      if (!b || !(await mayResume(tx, b))) return NOT_RESUMED;
      const template = await this.templateOf(tx, b);
      if (!template || template.status !== 'APPROVED') return { resumed: false, problem: broadcastReasons.templateNotApproved(b.templateName, b.templateLanguage, template?.status ?? 'missing') };
      // Of resumers racing (a person, the lift's hook, the job of each worker) one moves it; on
      // PostgreSQL the others wait for its commit here and find it running.
      if (!(await tx.nativeUpdate(Broadcast, { id, status: 'paused' }, { status: 'running' }))) return NOT_RESUMED;
      if (!b.startedAt) {
        await this.freeze(tx, b, template);
        b.startedAt = this.clock.now();
      }
      b.status = 'running';
      setReason(b, resumedBy);
      await this.requeueHeld(tx, tenant, plugin.id, b);
      this.record(tx, tenant, b, 'resumed');
      this.logger.log(`broadcast ${id} resumed${resumedBy ? `: ${resumedBy.text}` : ''}`);
      return { resumed: true };
    });
  }

  /**
   * Resumes the broadcasts of a number that its restriction paused (`PAUSED_RESTRICTED`), once
   * the number may start conversations again: the provider lifted the restriction, or its end
   * passed. Read again in each resume's transaction, so a newer restriction keeps them paused.
   * A broadcast paused for anything else (by a person, a template, failures) is left alone.
   * Returns how many it resumed.
   */
  async resumeAfterRestriction(channelAccountId: string): Promise<number> {
    const waiting = await this.orm.em.fork().find(Broadcast, { channelAccount: channelAccountId, status: 'paused', reasonCode: 'PAUSED_RESTRICTED' }, { fields: ['id'] });
    if (waiting.length === 0) return 0;
    // From the cached account first: while the restriction lasts, no transaction is opened.
    const kept = (await this.channels.resolve(channelAccountId)).account.restriction;
    if (restrictionInForce(kept, this.clock.now())?.businessInitiated) return 0;
    const resumedBy = broadcastReasons.resumedAfterRestriction(kept?.businessInitiated ? 'expired' : 'lifted');
    const stillWaiting = async (tx: EntityManager, b: Broadcast) =>
      b.reasonCode === 'PAUSED_RESTRICTED' && !restrictionInForce(await this.channels.restrictionKept(tx, channelAccountId), this.clock.now())?.businessInitiated;
    let resumed = 0;
    for (const { id } of waiting) {
      const outcome = await this.resume(id, resumedBy, stillWaiting);
      if (outcome.resumed) resumed += 1;
      else if (outcome.problem) await this.keepPaused(id, outcome.problem);
    }
    return resumed;
  }

  /**
   * Resumes broadcasts paused by their number's restriction once it ended: the hook on
   * `channel.restriction_lifted` resumes them at once, but no webhook says that a restriction's
   * `until` passed (and a hook is lost with its process).
   */
  @Every({ name: 'broadcast restriction ends', intervalMs: 5_000, roles: ['worker'] })
  async resumeUnrestricted(): Promise<number> {
    const waiting = await this.orm.em.fork().find(Broadcast, { status: 'paused', reasonCode: 'PAUSED_RESTRICTED' }, { fields: ['channelAccount'] });
    let resumed = 0;
    for (const channelAccountId of new Set(waiting.map((b) => b.channelAccount.id))) resumed += await this.resumeAfterRestriction(channelAccountId);
    return resumed;
  }

  /** A restriction's pause that cannot be taken back by itself (its template was paused meanwhile, say) says why instead, for a person to act on. */
  private async keepPaused(id: string, problem: BroadcastReason): Promise<void> {
    const moved = await this.orm.em.fork().nativeUpdate(Broadcast, { id, status: 'paused', reasonCode: 'PAUSED_RESTRICTED' }, reasonColumns(problem));
    if (!moved) return;
    this.logger.warn(`broadcast ${id} stays paused after its number's restriction ended: ${problem.text}`);
    this.progressChanged(id);
  }

  /** The slug of a broadcast's tenant, or null when there is no such broadcast. */
  private async tenantOf(broadcastId: string): Promise<string | null> {
    const b = await this.orm.em.fork().findOne(Broadcast, broadcastId, { fields: ['tenantId'] });
    return b ? this.tenants.slugOf(b.tenantId) : null;
  }

  /**
   * Pauses the running broadcasts of a number the provider restricted from starting
   * conversations; those its restriction paused before take the new words (its end may have
   * moved), and so do those a send refused as restricted paused, so that they too resume when it ends.
   */
  async pauseByAccount(channelAccountId: string, reason: BroadcastReason): Promise<number> {
    const em = this.orm.em.fork();
    const paused = await em.find(Broadcast, { channelAccount: channelAccountId, status: 'paused', reasonCode: { $in: [reason.code, 'PAUSED_ON_ERROR'] } }, { fields: ['id', 'reasonCode', 'reasonParams'] });
    // A send WhatsApp refused for the restriction may have paused a broadcast before the
    // announcement came: that pause is the restriction's too, and ends with it.
    const waiting = paused.filter((b) => b.reasonCode === reason.code || b.reasonParams?.error === 'CHANNEL_RESTRICTED');
    for (const b of waiting) {
      if (await em.nativeUpdate(Broadcast, { id: b.id, status: 'paused', reasonCode: b.reasonCode }, reasonColumns(reason))) this.progressChanged(b.id);
    }
    return this.pauseRunning({ channelAccount: channelAccountId }, reason);
  }

  /** Pauses the running broadcasts of a template Meta paused or disabled. */
  pauseByTemplate(channelAccountId: string, name: string, language: string, reason: BroadcastReason): Promise<number> {
    return this.pauseRunning({ channelAccount: channelAccountId, templateName: name, templateLanguage: language }, reason);
  }

  /** Pauses every running broadcast `where` says; how many it paused. */
  private async pauseRunning(where: FilterQuery<Broadcast>, reason: BroadcastReason): Promise<number> {
    const running = await this.orm.em.fork().find(Broadcast, { $and: [where, { status: 'running' }] }, { fields: ['id'] });
    let paused = 0;
    for (const b of running) if (await this.pause(b.id, reason)) paused += 1;
    return paused;
  }
}
