import { createHash } from 'node:crypto';
import type { CustomerContent, CustomerSendOptions } from './customer-directory.js';
import type { MediaStore } from './media-store.js';
import { unixSeconds } from './webhook-payloads.js';

const DEFAULT_MIME: Record<string, string> = {
  image: 'image/jpeg',
  video: 'video/mp4',
  audio: 'audio/ogg; codecs=opus',
  document: 'application/pdf',
  sticker: 'image/webp',
};

/** A 1×1 PNG, so media sent without bytes is still a real file. */
const PLACEHOLDER_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

export interface InboundBuildContext {
  wamid: string;
  from: string;
  now: Date;
  media: MediaStore;
  /** Base URL of the simulator, for media `url`. */
  baseUrl: string;
  businessDisplayNumber: string;
  /** The latest business message to this customer, quoted by interactive replies by default. */
  latestBusinessMessageId?: string;
}

/** Builds the `value.messages[]` object Meta would send for a customer's message. */
export function buildInboundMessage(content: CustomerContent, options: CustomerSendOptions, context: InboundBuildContext): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  const quoted = options.replyTo ?? (isReplyToBusiness(content) ? context.latestBusinessMessageId : undefined);
  if (quoted) message.context = { from: context.businessDisplayNumber, id: quoted };
  else if (options.forwarded) message.context = { forwarded: true };
  message.from = context.from;
  message.id = context.wamid;
  message.timestamp = unixSeconds(options.timestamp ?? context.now);
  Object.assign(message, typeBody(content, context));
  return message;
}

function isReplyToBusiness(content: CustomerContent): boolean {
  return content.type === 'button_reply' || content.type === 'list_reply' || content.type === 'button';
}

function typeBody(content: CustomerContent, context: InboundBuildContext): Record<string, unknown> {
  switch (content.type) {
    case 'text':
      return { type: 'text', text: { body: content.body } };
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker': {
      const mimeType = content.mimeType ?? (!content.data && content.type === 'image' ? 'image/png' : DEFAULT_MIME[content.type]!);
      const bytes = content.data ? Buffer.from(content.data) : PLACEHOLDER_PNG;
      const stored = context.media.put(bytes, mimeType, content.type === 'document' ? (content.filename ?? 'document.pdf') : content.filename);
      const object: Record<string, unknown> = {};
      if (content.caption !== undefined && ['image', 'video', 'document'].includes(content.type)) object.caption = content.caption;
      if (content.type === 'document') object.filename = stored.filename;
      object.mime_type = mimeType;
      object.sha256 = createHash('sha256').update(bytes).digest('base64');
      object.id = stored.id;
      object.url = context.media.downloadUrl(context.baseUrl, stored);
      if (content.type === 'audio') object.voice = content.voice ?? false;
      if (content.type === 'sticker') object.animated = content.animated ?? false;
      return { type: content.type, [content.type]: object };
    }
    case 'location': {
      const { type: _type, ...location } = content;
      return { type: 'location', location };
    }
    case 'contacts':
      return { type: 'contacts', contacts: content.contacts };
    case 'button_reply':
      return { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: content.id, title: content.title } } };
    case 'list_reply':
      return {
        type: 'interactive',
        interactive: {
          type: 'list_reply',
          list_reply: { id: content.id, title: content.title, ...(content.description === undefined ? {} : { description: content.description }) },
        },
      };
    case 'button':
      return { type: 'button', button: { payload: content.payload ?? content.text, text: content.text } };
    case 'reaction':
      return { type: 'reaction', reaction: { message_id: content.messageId, ...(content.emoji ? { emoji: content.emoji } : {}) } };
    case 'order':
      return {
        type: 'order',
        order: { catalog_id: content.catalogId, ...(content.text === undefined ? {} : { text: content.text }), product_items: content.productItems },
      };
    case 'unsupported':
      return {
        errors: [
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            error_data: { details: 'Message type is currently not supported.' },
          },
        ],
        type: 'unsupported',
        unsupported: { type: content.unsupportedType ?? 'edit' },
      };
  }
}
