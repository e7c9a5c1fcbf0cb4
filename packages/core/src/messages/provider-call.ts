import type { MessageContent } from '@obrol/contracts';
import type { ResolvedAccount } from '../channels/channels.service.js';

/** What a provider call needs of a message: an entity or the send path's plain row. */
export interface SendableMessage {
  id: string;
  conversation: { contact: { externalId: string; phone: string | null; name: string | null } };
  content: MessageContent;
  replyToExternalId: string | null;
  idempotencyKey: string | null;
}

/** Hands the message to its channel plugin, with the idempotency key of its call (the same on every attempt). */
export function callProvider(resolved: ResolvedAccount, message: SendableMessage) {
  const contact = message.conversation.contact;
  return resolved.plugin.send(
    {
      messageId: message.id,
      to: { externalId: contact.externalId, phone: contact.phone ?? undefined, name: contact.name ?? undefined },
      content: message.content,
      replyToExternalId: message.replyToExternalId ?? undefined,
    },
    message.idempotencyKey ?? `msg-${message.id}`,
    resolved.context,
  );
}
