import { describe, expect, it } from 'vitest';
import { restrictionInForce } from '@obrol/contracts';
import { isNewer, restrictionRecord, restrictionRefusal } from './channel-restriction.js';

const announced = new Date('2026-11-20T08:00:00.000Z');
const until = new Date('2026-11-21T08:00:00.000Z');
const answering = restrictionRecord({ businessInitiated: false, customerInitiated: true, until }, announced, 'The number may not answer customers.');

describe('a restriction WhatsApp announced for a number', () => {
  it('is in force until its end, and lifted from that moment on', () => {
    expect(restrictionInForce(answering, new Date(until.getTime() - 1_000))).toEqual({
      businessInitiated: false,
      customerInitiated: true,
      until: '2026-11-21T08:00:00.000Z',
      since: '2026-11-20T08:00:00.000Z',
      description: 'The number may not answer customers.',
    });
    expect(restrictionInForce(answering, until)).toBeNull();
    expect(restrictionInForce(answering, new Date(until.getTime() + 1_000))).toBeNull();
  });

  it('without an end lasts until WhatsApp lifts it; a lift (nothing restricted) is no restriction', () => {
    const disabled = restrictionRecord({ businessInitiated: true, customerInitiated: true, until: null }, announced, 'disabled');
    expect(restrictionInForce(disabled, new Date('2036-01-01T00:00:00.000Z'))?.until).toBeNull();
    const lifted = restrictionRecord({ businessInitiated: false, customerInitiated: false, until: null }, announced, 'lifted');
    expect(restrictionInForce(lifted, announced)).toBeNull();
    expect(restrictionInForce(null, announced)).toBeNull();
  });

  it('is replaced only by an announcement made no earlier (a late retry of an older one changes nothing)', () => {
    expect(isNewer(announced, null)).toBe(true);
    expect(isNewer(announced, answering)).toBe(true);
    expect(isNewer(new Date(announced.getTime() + 1_000), answering)).toBe(true);
    expect(isNewer(new Date(announced.getTime() - 1_000), answering)).toBe(false);
  });

  it('refuses replies while customers may not be answered, and templates only to a closed window while conversations may not be started', () => {
    const onAnswering = restrictionInForce(answering, announced);
    expect(restrictionRefusal(onAnswering, { template: false, windowOpen: true })).toBe(
      'WhatsApp restricted this number from answering customers until 2026-11-21T08:00:00.000Z, so no reply can be sent. An admin must check WhatsApp Manager.',
    );
    expect(restrictionRefusal(onAnswering, { template: true, windowOpen: false })).toBeNull();

    const starting = restrictionInForce(restrictionRecord({ businessInitiated: true, customerInitiated: false, until: null }, announced, 'x'), announced);
    expect(restrictionRefusal(starting, { template: false, windowOpen: true })).toBeNull();
    expect(restrictionRefusal(starting, { template: true, windowOpen: true })).toBeNull();
    expect(restrictionRefusal(starting, { template: true, windowOpen: false })).toBe(
      'WhatsApp restricted this number from starting conversations, so no template can go to a customer whose reply window is closed. An admin must check WhatsApp Manager.',
    );
    expect(restrictionRefusal(null, { template: false, windowOpen: true })).toBeNull();
  });
});
