import { describe, expect, it } from 'vitest';
import { decideInDoubt, evidenceOf } from './send-attempt.policy.js';

describe('evidenceOf: what a status echoing our message id proves', () => {
  it('settles an outbound message whose send was never recorded', () => {
    expect(evidenceOf({ direction: 'outbound', externalId: null }, 'wamid.A')).toBe('settles');
  });

  it('is an ordinary status once the external id is recorded', () => {
    expect(evidenceOf({ direction: 'outbound', externalId: 'wamid.A' }, 'wamid.A')).toBe('known');
  });

  it('reports a second copy when the message is recorded under another external id', () => {
    expect(evidenceOf({ direction: 'outbound', externalId: 'wamid.A' }, 'wamid.B')).toBe('another-copy');
  });

  it('ignores ids that are not our outbound messages', () => {
    expect(evidenceOf(null, 'wamid.A')).toBe('unrelated');
    expect(evidenceOf({ direction: 'inbound', externalId: null }, 'wamid.A')).toBe('unrelated');
  });
});

describe('decideInDoubt: an open attempt waits for evidence, then is sent again once', () => {
  const startedAt = new Date('2026-11-20T08:00:00.000Z');
  const grace = 10 * 60 * 1000;

  it('waits until the grace period has passed', () => {
    expect(decideInDoubt({ startedAt, attempts: 1 }, new Date(startedAt.getTime() + grace - 1), grace, 6)).toBe('wait');
  });

  it('sends again once the grace period has passed without evidence', () => {
    expect(decideInDoubt({ startedAt, attempts: 1 }, new Date(startedAt.getTime() + grace), grace, 6)).toBe('resend');
  });

  it('gives up instead when the attempt was the last one allowed', () => {
    expect(decideInDoubt({ startedAt, attempts: 6 }, new Date(startedAt.getTime() + grace), grace, 6)).toBe('give-up');
  });
});
