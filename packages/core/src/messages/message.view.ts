import type { MessageView } from '@obrol/contracts';
import type { Message } from './message.entity.js';

export function messageView(m: Message): MessageView {
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
