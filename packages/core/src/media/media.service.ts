import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type Clock, type FetchMediaCommand, type MessageContent, ObrolError, liveEvents, subjects } from '@obrol/contracts';
import { type Principal, assertInbox } from '../auth/principal.js';
import type { DeliveredMessage, HandlerOutcome } from '../bus/event-bus.js';
import { ChannelsService } from '../channels/channels.service.js';
import { CLOCK } from '../clock/clock.token.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { newId } from '../database/base.entity.js';
import { Message } from '../messages/message.entity.js';
import { messageView } from '../messages/message.view.js';
import { recordLive } from '../outbox/outbox.js';
import { OnCommand } from '../work/declared-work.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { MediaObject } from './media-object.entity.js';

type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** Media files under `<dataDir>/media`, served to agents through an authenticated route. */
@Injectable()
export class MediaService {
  private readonly logger = new Logger('MediaService');
  private readonly root: string;

  constructor(
    private readonly orm: MikroORM,
    private readonly channels: ChannelsService,
    private readonly tenants: TenantsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    this.root = path.resolve(options.dataDir, 'media');
  }

  /** Stores bytes and returns the record; the file is written before the row commits. */
  async store(input: { tenantId: string; channelAccountId: string; bytes: Buffer; mimeType: string; filename?: string; providerMediaId?: string }): Promise<MediaObject> {
    const id = newId();
    const storageKey = path.join(id.slice(0, 8), id);
    const file = path.join(this.root, storageKey);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.part`, input.bytes);
    await rename(`${file}.part`, file);
    const em = this.orm.em.fork();
    const media = em.create(MediaObject, {
      id,
      tenantId: input.tenantId,
      channelAccountId: input.channelAccountId,
      mimeType: input.mimeType,
      sizeBytes: input.bytes.length,
      sha256: createHash('sha256').update(input.bytes).digest('hex'),
      filename: input.filename ?? null,
      storageKey,
      providerMediaId: input.providerMediaId ?? null,
    });
    await em.flush();
    return media;
  }

  /** The bytes of a stored media file (for uploading it to a provider). */
  async read(id: string): Promise<{ media: MediaObject; bytes: Buffer }> {
    const media = await this.orm.em.fork().findOneOrFail(MediaObject, id);
    return { media, bytes: await readFile(path.join(this.root, media.storageKey)) };
  }

  /** Stores a file an agent or API client uploads, for sending; checks it against the channel's limits. */
  async upload(principal: Principal, channelAccountId: string, input: { bytes: Buffer; mimeType: string; filename?: string }): Promise<MediaObject> {
    assertInbox(principal, channelAccountId, 'Channel account');
    const resolved = await this.channels.resolve(channelAccountId);
    if (resolved.account.tenantId !== principal.tenantId) throw new ObrolError('NOT_FOUND', 'Channel account not found.');
    const limits = resolved.plugin.media;
    if (!limits) throw new ObrolError('CONTENT_NOT_SUPPORTED', `The ${resolved.plugin.displayName} channel does not send media.`);
    const mime = input.mimeType.split(';')[0]!.trim().toLowerCase();
    const kinds = (Object.keys(limits.mimeTypes) as MediaKind[]).filter((k) => limits.mimeTypes[k]?.some((m) => m.split(';')[0]!.trim() === mime));
    if (kinds.length === 0) {
      const accepted = [...new Set(Object.values(limits.mimeTypes).flat())].join(', ');
      throw new ObrolError('UNSUPPORTED_MEDIA_TYPE', `${resolved.plugin.displayName} does not accept ${mime}. Accepted: ${accepted}.`);
    }
    const max = Math.max(...kinds.map((k) => limits.maxBytes[k] ?? 0));
    if (input.bytes.length === 0) throw new ObrolError('VALIDATION_FAILED', 'The file is empty.');
    if (max > 0 && input.bytes.length > max) throw new ObrolError('PAYLOAD_TOO_LARGE', `The file is ${input.bytes.length} bytes; ${resolved.plugin.displayName} accepts at most ${max} bytes for ${kinds.join('/')}.`);
    return this.store({ tenantId: principal.tenantId, channelAccountId, bytes: input.bytes, mimeType: input.mimeType, filename: input.filename });
  }

  /** A media file the principal may see, as a stream. */
  async open(principal: Principal, id: string): Promise<{ media: MediaObject; stream: Readable }> {
    const media = await this.orm.em.fork().findOne(MediaObject, { id, tenantId: principal.tenantId });
    if (!media) throw new ObrolError('NOT_FOUND', 'Media not found.');
    assertInbox(principal, media.channelAccountId, 'Media');
    return { media, stream: createReadStream(path.join(this.root, media.storageKey)) };
  }

  /** Handles `cmd.<t>.media.<channel>`: downloads an inbound message's media and links it. */
  @OnCommand({ durableName: 'core-media', subjects: [subjects.all.mediaFetches], concurrency: 2 })
  readonly handleFetch = async ({ data }: DeliveredMessage<FetchMediaCommand>): Promise<HandlerOutcome> => {
    const em = this.orm.em.fork();
    const message = await em.findOne(Message, data.messageId, { populate: ['conversation', 'conversation.contact', 'channelAccount'] });
    if (!message) return { action: 'drop', reason: 'message gone' };
    const content = message.content;
    if (!('media' in content) || !content.media.providerMediaId || content.media.mediaId) return { action: 'ack' };
    const resolved = await this.channels.resolve(message.channelAccount.id);
    const media = resolved.plugin.media;
    if (!media) return { action: 'drop', reason: 'channel has no media support' };
    const result = await media.download(content.media.providerMediaId, resolved.context);
    if (!result.ok) {
      if (result.error.retryable) return { action: 'retry', delayMs: result.error.retryAfterMs };
      return this.giveUp(message, result.error.message);
    }
    const kind = content.type as MediaKind;
    const max = media.maxBytes[kind];
    if (max !== undefined && result.value.bytes.length > max) return this.giveUp(message, `the file is larger than ${max} bytes`);
    const allowed = media.mimeTypes[kind];
    const mime = result.value.mimeType.split(';')[0]!.trim();
    if (allowed && !allowed.some((a) => a.split(';')[0]!.trim() === mime)) return this.giveUp(message, `type ${mime} is not accepted for ${kind}`);
    const stored = await this.store({
      tenantId: message.tenantId,
      channelAccountId: message.channelAccount.id,
      bytes: result.value.bytes,
      mimeType: result.value.mimeType,
      filename: result.value.filename ?? (content.type === 'document' ? content.filename : undefined),
      providerMediaId: content.media.providerMediaId,
    });
    message.content = { ...content, media: { ...content.media, mediaId: stored.id, sizeBytes: stored.sizeBytes, mimeType: content.media.mimeType ?? stored.mimeType } } as MessageContent;
    const tenant = await this.tenants.slugOf(message.tenantId);
    recordLive(em, tenant, this.clock.now(), liveEvents.messageUpdated(tenant, { channelAccountId: message.channelAccount.id, conversationId: message.conversation.id, data: { message: messageView(message) } }));
    await em.flush();
    return { action: 'ack' };
  };

  private giveUp(message: Message, reason: string): HandlerOutcome {
    this.logger.warn(`media of message ${message.id} not stored: ${reason}`);
    return { action: 'drop', reason };
  }
}
