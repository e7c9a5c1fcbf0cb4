import { facts, liveEvents } from '@obrol/contracts';
import type { OutboxRow } from '../outbox/outbox.js';
import { outboxRow } from '../outbox/outbox.js';
import { type MessageViewSource, messageView } from './message.view.js';

/** The outbox row of a message's `sent` or `status` fact, with its live update. */
export function sendFactOf(tenant: string, now: Date, message: MessageViewSource & { conversation: { contact: { id: string } } }, event: 'sent' | 'status'): OutboxRow {
    const view = messageView(message);
    const ref = { conversationId: message.conversation.id, channelAccountId: message.channelAccount.id, contactId: message.conversation.contact.id };
    const fact = event === 'sent' ? facts.messageSent : facts.messageStatus;
    return outboxRow(tenant, now, fact(tenant, { ...ref, message: view }), liveEvents.messageUpdated(tenant, { channelAccountId: ref.channelAccountId, conversationId: ref.conversationId, data: { message: view } }));
  }
