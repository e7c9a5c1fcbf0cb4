import { describe, expect, it } from 'vitest';
import type { MessageStatus } from '@obrol/contracts';
import { applyStatus } from './message-status.js';
import type { Message } from './message.entity.js';

const msg = (status: MessageStatus) => ({ status, error: null }) as unknown as Message;
const error = { code: 'RECIPIENT_UNDELIVERABLE' as const, message: 'x', retryable: false };

describe('applyStatus', () => {
  it('moves forward through sent, delivered, read', () => {
    const m = msg('queued');
    expect(applyStatus(m, 'sent', null)).toBe(true);
    expect(applyStatus(m, 'delivered', null)).toBe(true);
    expect(applyStatus(m, 'read', null)).toBe(true);
    expect(m.status).toBe('read');
  });

  it('never lets a late delivered or sent overwrite read', () => {
    const m = msg('read');
    expect(applyStatus(m, 'delivered', null)).toBe(false);
    expect(applyStatus(m, 'sent', null)).toBe(false);
    expect(m.status).toBe('read');
  });

  it('accepts read without delivered (Meta skips delivered when read at once)', () => {
    const m = msg('sent');
    expect(applyStatus(m, 'read', null)).toBe(true);
    expect(m.status).toBe('read');
  });

  it('records failure with its error unless the message was already delivered', () => {
    const m = msg('sent');
    expect(applyStatus(m, 'failed', error)).toBe(true);
    expect(m.error).toEqual(error);
    const d = msg('delivered');
    expect(applyStatus(d, 'failed', error)).toBe(false);
    expect(d.status).toBe('delivered');
  });

  it('ignores the same status twice', () => {
    const m = msg('delivered');
    expect(applyStatus(m, 'delivered', null)).toBe(false);
  });

  it('lets a delivered after a failure win (the provider delivered it after all)', () => {
    const m = msg('failed');
    expect(applyStatus(m, 'delivered', null)).toBe(true);
    expect(m.status).toBe('delivered');
    expect(m.error).toBeNull();
  });
});
