import { describe, expect, it } from 'vitest';
import { whatsAppSessionWindowPolicy } from './session-window.policy.js';

const lastInboundAt = new Date('2026-03-10T08:00:00Z');
const at = (iso: string) => new Date(iso);

describe('whatsAppSessionWindowPolicy', () => {
  it('is open at 23:59:59 after the last inbound message', () => {
    expect(whatsAppSessionWindowPolicy.canSendFreeform({ lastInboundAt }, at('2026-03-11T07:59:59Z'))).toEqual({
      open: true,
      expiresAt: at('2026-03-11T08:00:00Z'),
    });
  });
  it('is closed at 24:00:01', () => {
    expect(whatsAppSessionWindowPolicy.canSendFreeform({ lastInboundAt }, at('2026-03-11T08:00:01Z'))).toEqual({
      open: false,
      expiresAt: at('2026-03-11T08:00:00Z'),
    });
  });
  it('is closed exactly at 24:00:00 (open iff now < last + 24h)', () => {
    expect(whatsAppSessionWindowPolicy.canSendFreeform({ lastInboundAt }, at('2026-03-11T08:00:00Z')).open).toBe(false);
  });
  it('is closed with no expiry when the customer never wrote', () => {
    expect(whatsAppSessionWindowPolicy.canSendFreeform({ lastInboundAt: null }, at('2026-03-11T08:00:00Z'))).toEqual({ open: false, expiresAt: null });
  });
});
