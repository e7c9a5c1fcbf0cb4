import { err, ok, type ChannelError, type ContentOf, type MessageContent, type OutboundMessage, type Result } from '@obrol/contracts';
import { toGraphMedia, type GraphMediaObject } from './graph-media.mapper.js';
import { toGraphTemplate } from './templates/template.mapper.js';

type Json = Record<string, unknown>;
type Interactive = ContentOf<'interactive'>['interactive'];

/** The JSON body of `POST /{phone-number-id}/messages`. */
export interface GraphMessageBody {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to?: string;
  recipient?: string;
  type: string;
  context?: { message_id: string };
  /** Obrol's message id; Meta echoes it in every status webhook of this message. */
  biz_opaque_callback_data: string;
  [typeObject: string]: unknown;
}

function notSupported(type: string): ChannelError {
  return { code: 'CONTENT_NOT_SUPPORTED', message: `A ${type.replace('_', ' ')} message cannot be sent on WhatsApp.`, retryable: false };
}

function mediaMissing(type: string): ChannelError {
  return {
    code: 'CONTENT_NOT_SUPPORTED',
    message: `The ${type} must be uploaded to WhatsApp (a provider media id) or have a public URL before it can be sent.`,
    retryable: false,
  };
}

/**
 * The recipient part of a send. Meta prepends the business's own country code to a number
 * without `+`, so phone numbers always go out in E.164 with the `+`. A customer known only by
 * a business-scoped user id (no phone, 2026) is addressed with `recipient`.
 */
function recipientOf(message: OutboundMessage): { to: string } | { recipient: string } {
  const phone = message.to.phone?.replace(/[^\d+]/g, '');
  if (phone) return { to: phone.startsWith('+') ? phone : `+${phone}` };
  const id = message.to.externalId;
  return /^\d+$/.test(id) ? { to: `+${id}` } : { recipient: id };
}

/**
 * Builds the Graph send body for an outbound message, per WHATSAPP.md §2. Content WhatsApp
 * cannot send (replies to interactive messages, system notices, orders, unsupported) is an
 * `err` with CONTENT_NOT_SUPPORTED. Obrol's message id rides along as
 * `biz_opaque_callback_data`, so a send whose answer was lost can be recognised by its statuses.
 */
export function toGraphMessage(message: OutboundMessage): Result<GraphMessageBody, ChannelError> {
  const payload = typeObjectOf(message.content);
  if (!payload.ok) return payload;
  const [type, object] = payload.value;
  const replyTo = message.content.type === 'reaction' ? undefined : message.replyToExternalId;
  return ok({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    ...recipientOf(message),
    type,
    ...(replyTo ? { context: { message_id: replyTo } } : {}),
    biz_opaque_callback_data: message.messageId,
    [type]: object,
  });
}

function typeObjectOf(content: MessageContent): Result<[string, unknown], ChannelError> {
  switch (content.type) {
    case 'text':
      return ok(['text', { preview_url: content.previewUrl ?? false, body: content.text }]);
    case 'image':
    case 'video': {
      const media = toGraphMedia(content.media, { caption: true });
      return media ? ok([content.type, media]) : err(mediaMissing(content.type));
    }
    case 'audio':
    case 'sticker': {
      const media = toGraphMedia(content.media);
      return media ? ok([content.type, media]) : err(mediaMissing(content.type));
    }
    case 'document': {
      const media = toGraphMedia(content.media, { caption: true, filename: content.filename });
      return media ? ok(['document', media]) : err(mediaMissing('document'));
    }
    case 'location':
      return ok([
        'location',
        {
          latitude: content.latitude,
          longitude: content.longitude,
          ...(content.name ? { name: content.name } : {}),
          ...(content.address ? { address: content.address } : {}),
        },
      ]);
    case 'contacts':
      return ok(['contacts', content.contacts.map(contactOf)]);
    case 'interactive': {
      const interactive = interactiveOf(content.interactive);
      return interactive.ok ? ok(['interactive', interactive.value]) : interactive;
    }
    case 'reaction':
      // An empty emoji removes the reaction.
      return ok(['reaction', { message_id: content.targetExternalId, emoji: content.emoji ?? '' }]);
    case 'template': {
      const template = toGraphTemplate(content.template);
      return template.ok ? ok(['template', template.value]) : template;
    }
    case 'interactive_reply':
    case 'system':
    case 'order':
    case 'unsupported':
      return err(notSupported(content.type));
  }
}

function contactOf(card: ContentOf<'contacts'>['contacts'][number]): Json {
  return {
    name: {
      formatted_name: card.name.formattedName,
      ...(card.name.firstName ? { first_name: card.name.firstName } : {}),
      ...(card.name.lastName ? { last_name: card.name.lastName } : {}),
    },
    ...(card.phones.length > 0
      ? { phones: card.phones.map((p) => ({ phone: p.phone, ...(p.type ? { type: p.type } : {}), ...(p.waId ? { wa_id: p.waId } : {}) })) }
      : {}),
    ...(card.emails.length > 0 ? { emails: card.emails.map((e) => ({ email: e.email, ...(e.type ? { type: e.type } : {}) })) } : {}),
    ...(card.organization ? { org: { company: card.organization } } : {}),
    ...(card.urls.length > 0 ? { urls: card.urls.map((u) => ({ url: u.url, ...(u.type ? { type: u.type } : {}) })) } : {}),
  };
}

type Header = NonNullable<Extract<Interactive, { kind: 'buttons' }>['header']>;

function headerOf(header: Header | undefined): Result<Json | undefined, ChannelError> {
  if (!header) return ok(undefined);
  if (header.type === 'text') return ok({ type: 'text', text: header.text });
  const media: GraphMediaObject | undefined = toGraphMedia(header.media, {
    filename: header.type === 'document' ? header.filename : undefined,
  });
  return media ? ok({ type: header.type, [header.type]: media }) : err(mediaMissing(`${header.type} header`));
}

function interactiveOf(interactive: Interactive): Result<Json, ChannelError> {
  const header = headerOf(interactive.header);
  if (!header.ok) return header;
  const common = {
    ...(header.value ? { header: header.value } : {}),
    body: { text: interactive.body },
    ...(interactive.footer ? { footer: { text: interactive.footer } } : {}),
  };
  switch (interactive.kind) {
    case 'buttons':
      return ok({
        type: 'button',
        ...common,
        action: { buttons: interactive.buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) },
      });
    case 'list':
      return ok({
        type: 'list',
        ...common,
        action: {
          button: interactive.buttonText,
          sections: interactive.sections.map((s) => ({
            ...(s.title ? { title: s.title } : {}),
            rows: s.rows.map((r) => ({ id: r.id, title: r.title, ...(r.description ? { description: r.description } : {}) })),
          })),
        },
      });
    case 'cta_url':
      return ok({
        type: 'cta_url',
        ...common,
        action: { name: 'cta_url', parameters: { display_text: interactive.displayText, url: interactive.url } },
      });
  }
}
