import { type ChannelError, type MessageStatus, isStatusAdvance } from '@obrol/contracts';
import type { Message } from './message.entity.js';

/**
 * Moves an outbound message's status forward, by the order clients use too
 * (`isStatusAdvance` in contracts). Returns whether anything changed.
 */
export function applyStatus(message: Pick<Message, 'status' | 'error'>, next: MessageStatus, error: ChannelError | null): boolean {
  if (!isStatusAdvance(message.status, next)) return false;
  message.status = next;
  if (next === 'failed') message.error = error;
  else if (next !== 'sent') message.error = null;
  return true;
}
