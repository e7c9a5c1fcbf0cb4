import type { ChannelError, MessageStatus } from '@obrol/contracts';
import type { Message } from './message.entity.js';

const RANK: Record<MessageStatus, number> = { received: 0, queued: 0, sent: 1, delivered: 2, read: 3, failed: 1 };

/**
 * Moves an outbound message's status forward. Providers deliver statuses late, twice and out
 * of order: a late `delivered` never overwrites `read`, and `failed` only replaces a message
 * that was not yet delivered. Returns whether anything changed.
 */
export function applyStatus(message: Message, next: MessageStatus, error: ChannelError | null): boolean {
  const current = message.status;
  if (current === next) return false;
  if (next === 'failed') {
    if (current === 'delivered' || current === 'read') return false;
    message.status = 'failed';
    message.error = error;
    return true;
  }
  if (current === 'failed' && next === 'sent') return false;
  if (RANK[next] <= RANK[current] && current !== 'failed') return false;
  message.status = next;
  if (next !== 'sent') message.error = null;
  return true;
}
