import { z } from 'zod';

/**
 * The normalised message content model. Every channel plugin turns its provider's payloads
 * into these shapes and sends from them; the core and the apps never see provider JSON.
 *
 * A content value is a tagged union on `type`. Anything a plugin cannot map is kept as
 * `unsupported` with the raw payload, never dropped.
 */

/** A link a browser may open or load: http or https only (never javascript:, data: or file:). */
export const httpUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2048);

/** A piece of media. Inbound media carries a `mediaId` the core can serve; outbound media is
 * either a `mediaId` already stored/uploaded or a public `url` the provider fetches. */
export const mediaRefSchema = z
  .object({
    /** Obrol's stored media id (inbound, or uploaded before sending). */
    mediaId: z.string().min(1).optional(),
    /** The provider's own media id (e.g. Meta's media id). */
    providerMediaId: z.string().min(1).optional(),
    /** A public https URL the provider downloads from (outbound "by link"). */
    url: httpUrlSchema.optional(),
    mimeType: z.string().min(1).max(255).optional(),
    sha256: z.string().optional(),
    sizeBytes: z.number().int().nonnegative().optional(),
    caption: z.string().max(1024).optional(),
  })
  .refine((m) => m.mediaId || m.providerMediaId || m.url, {
    message: 'media needs a mediaId, providerMediaId or url',
  });
export type MediaRef = z.infer<typeof mediaRefSchema>;

export const textContentSchema = z.object({
  type: z.literal('text'),
  text: z.string().min(1).max(4096),
  /** Ask the channel to render a preview of the first link. */
  previewUrl: z.boolean().optional(),
});

export const imageContentSchema = z.object({ type: z.literal('image'), media: mediaRefSchema });
export const videoContentSchema = z.object({ type: z.literal('video'), media: mediaRefSchema });
export const audioContentSchema = z.object({
  type: z.literal('audio'),
  media: mediaRefSchema,
  /** A voice note recorded in the app (as opposed to a forwarded audio file). */
  voice: z.boolean().optional(),
});
export const documentContentSchema = z.object({
  type: z.literal('document'),
  media: mediaRefSchema,
  filename: z.string().min(1).max(240).optional(),
});
export const stickerContentSchema = z.object({
  type: z.literal('sticker'),
  media: mediaRefSchema,
  animated: z.boolean().optional(),
});

export const locationContentSchema = z.object({
  type: z.literal('location'),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().max(1000).optional(),
  address: z.string().max(1000).optional(),
  url: httpUrlSchema.optional(),
});

const contactCardSchema = z.object({
  name: z.object({
    formattedName: z.string().min(1),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
  }),
  phones: z
    .array(z.object({ phone: z.string(), type: z.string().optional(), waId: z.string().optional() }))
    .default([]),
  emails: z.array(z.object({ email: z.string(), type: z.string().optional() })).default([]),
  organization: z.string().optional(),
  urls: z.array(z.object({ url: z.string(), type: z.string().optional() })).default([]),
});
export type ContactCard = z.infer<typeof contactCardSchema>;

export const contactsContentSchema = z.object({
  type: z.literal('contacts'),
  contacts: z.array(contactCardSchema).min(1),
});

const interactiveHeaderSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().min(1).max(60) }),
  z.object({ type: z.literal('image'), media: mediaRefSchema }),
  z.object({ type: z.literal('video'), media: mediaRefSchema }),
  z.object({ type: z.literal('document'), media: mediaRefSchema, filename: z.string().optional() }),
]);

/** Business-sent interactive messages: reply buttons, a list, or a call-to-action URL. */
export const interactiveContentSchema = z.object({
  type: z.literal('interactive'),
  interactive: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('buttons'),
      header: interactiveHeaderSchema.optional(),
      body: z.string().min(1).max(1024),
      footer: z.string().max(60).optional(),
      buttons: z
        .array(z.object({ id: z.string().min(1).max(256), title: z.string().min(1).max(20) }))
        .min(1)
        .max(3),
    }),
    z.object({
      kind: z.literal('list'),
      header: z.object({ type: z.literal('text'), text: z.string().min(1).max(60) }).optional(),
      body: z.string().min(1).max(4096),
      footer: z.string().max(60).optional(),
      buttonText: z.string().min(1).max(20),
      sections: z
        .array(
          z.object({
            title: z.string().max(24).optional(),
            rows: z
              .array(
                z.object({
                  id: z.string().min(1).max(200),
                  title: z.string().min(1).max(24),
                  description: z.string().max(72).optional(),
                }),
              )
              .min(1),
          }),
        )
        .min(1)
        .max(10),
    }),
    z.object({
      kind: z.literal('cta_url'),
      header: interactiveHeaderSchema.optional(),
      body: z.string().min(1).max(1024),
      footer: z.string().max(60).optional(),
      displayText: z.string().min(1).max(20),
      url: httpUrlSchema,
    }),
  ]),
});

export type InteractiveContent = z.infer<typeof interactiveContentSchema>;

/** A customer's answer to an interactive message or a template quick-reply button. */
export const interactiveReplyContentSchema = z.object({
  type: z.literal('interactive_reply'),
  reply: z.object({
    kind: z.enum(['button', 'list', 'template_button', 'flow']),
    /** The id the business gave the button/row (for template buttons: the payload). */
    id: z.string(),
    title: z.string(),
    description: z.string().optional(),
  }),
});

export const reactionContentSchema = z.object({
  type: z.literal('reaction'),
  /** The external id of the message reacted to. */
  targetExternalId: z.string().min(1),
  /** The emoji; absent or empty means the reaction was removed. */
  emoji: z.string().max(16).optional(),
});

/** A template parameter value (positional when `name` is absent). */
export const templateParameterSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().min(1).max(32768), name: z.string().optional() }),
  z.object({ type: z.literal('currency'), fallback: z.string(), code: z.string().length(3), amount1000: z.number().int(), name: z.string().optional() }),
  z.object({ type: z.literal('date_time'), fallback: z.string(), name: z.string().optional() }),
  z.object({ type: z.literal('image'), media: mediaRefSchema }),
  z.object({ type: z.literal('video'), media: mediaRefSchema }),
  z.object({ type: z.literal('document'), media: mediaRefSchema, filename: z.string().optional() }),
  z.object({ type: z.literal('location'), latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() }),
]);
export type TemplateParameter = z.infer<typeof templateParameterSchema>;

/** Values for a template's variables, grouped the way the template is built. */
export const templateParametersSchema = z.object({
  header: z.array(templateParameterSchema).optional(),
  body: z.array(templateParameterSchema).optional(),
  buttons: z
    .array(
      z.object({
        index: z.number().int().min(0).max(9),
        subType: z.enum(['quick_reply', 'url', 'copy_code', 'otp']),
        /** Payload for quick replies, URL suffix for url buttons, code for copy_code/otp. */
        value: z.string(),
      }),
    )
    .optional(),
});
export type TemplateParameters = z.infer<typeof templateParametersSchema>;

export const templateContentSchema = z.object({
  type: z.literal('template'),
  template: z.object({
    name: z.string().min(1).max(512),
    language: z.string().min(2).max(15),
    parameters: templateParametersSchema.default({}),
    /** The text the agent saw, rendered from the template, kept for the transcript. */
    renderedText: z.string().optional(),
  }),
});

/** System notices from the provider (e.g. the customer changed number). */
export const systemContentSchema = z.object({
  type: z.literal('system'),
  text: z.string(),
  event: z.string().optional(),
});

/** An order sent from a catalog. */
export const orderContentSchema = z.object({
  type: z.literal('order'),
  catalogId: z.string().optional(),
  text: z.string().optional(),
  items: z.array(
    z.object({
      productId: z.string(),
      quantity: z.number(),
      itemPrice: z.number().optional(),
      currency: z.string().optional(),
    }),
  ),
});

/** Anything the plugin could not normalise: kept with its raw payload and shown, never dropped. */
export const unsupportedContentSchema = z.object({
  type: z.literal('unsupported'),
  /** What the provider called it (e.g. "unsupported", "poll", "ephemeral"). */
  providerType: z.string(),
  description: z.string().optional(),
  raw: z.unknown().optional(),
});

export const messageContentSchema = z.discriminatedUnion('type', [
  textContentSchema,
  imageContentSchema,
  videoContentSchema,
  audioContentSchema,
  documentContentSchema,
  stickerContentSchema,
  locationContentSchema,
  contactsContentSchema,
  interactiveContentSchema,
  interactiveReplyContentSchema,
  reactionContentSchema,
  templateContentSchema,
  systemContentSchema,
  orderContentSchema,
  unsupportedContentSchema,
]);
export type MessageContent = z.infer<typeof messageContentSchema>;
export type MessageContentType = MessageContent['type'];
export type ContentOf<T extends MessageContentType> = Extract<MessageContent, { type: T }>;

/** Content kinds an agent or an API client may send as a session (non-template) message. */
export const SESSION_CONTENT_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'reaction',
] as const satisfies readonly MessageContentType[];

export const sessionContentSchema = z.discriminatedUnion('type', [
  textContentSchema,
  imageContentSchema,
  videoContentSchema,
  audioContentSchema,
  documentContentSchema,
  stickerContentSchema,
  locationContentSchema,
  contactsContentSchema,
  interactiveContentSchema,
  reactionContentSchema,
]);
export type SessionContent = z.infer<typeof sessionContentSchema>;

/** A short, human preview of a content value for lists and notifications. */
export function previewOf(content: MessageContent): string {
  switch (content.type) {
    case 'text':
      return content.text.slice(0, 200);
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return content.media.caption ? `[${content.type}] ${content.media.caption}` : `[${content.type}]`;
    case 'location':
      return `[location] ${content.name ?? `${content.latitude},${content.longitude}`}`;
    case 'contacts':
      return `[contact] ${content.contacts.map((c) => c.name.formattedName).join(', ')}`;
    case 'interactive':
      return content.interactive.body.slice(0, 200);
    case 'interactive_reply':
      return content.reply.title;
    case 'reaction':
      return content.emoji ? `[reaction] ${content.emoji}` : '[reaction removed]';
    case 'template':
      return content.template.renderedText?.slice(0, 200) ?? `[template] ${content.template.name}`;
    case 'system':
      return content.text;
    case 'order':
      return `[order] ${content.items.length} item(s)`;
    case 'unsupported':
      return `[unsupported: ${content.providerType}]`;
  }
}
