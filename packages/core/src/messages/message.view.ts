import type { MessageView } from '@obrol/contracts';
import type { Message } from './message.entity.js';

/** What a view is made of: a `Message` entity, or a row the ingest path read or wrote without one. */
export type MessageViewSource = Pick<
  Message,
  'id' | 'direction' | 'content' | 'status' | 'error' | 'externalId' | 'replyToExternalId' | 'sentByAgentId' | 'broadcastId' | 'createdAt' | 'providerTimestamp'
> & { conversation: { id: string }; channelAccount: { id: string } };

export function messageView(m: MessageViewSource): MessageView {
  return {
    id: m.id,
    conversationId: m.conversation.id,
    channelAccountId: m.channelAccount.id,
    direction: m.direction,
    content: m.content,
    status: m.status,
    error: m.error,
    externalId: m.externalId,
    replyToExternalId: m.replyToExternalId,
    sentByAgentId: m.sentByAgentId,
    broadcastId: m.broadcastId,
    createdAt: m.createdAt.toISOString(),
    providerTimestamp: m.providerTimestamp?.toISOString() ?? null,
  };
}
