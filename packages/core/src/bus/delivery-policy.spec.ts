import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF_MS, decideDelivery, resolveConsumerOptions } from './delivery-policy.js';

const policy = { maxDeliver: 4, backoffMs: [100, 200] };

describe('decideDelivery', () => {
  it('acks when the handler returns nothing or ack', () => {
    expect(decideDelivery({ outcome: undefined }, 1, policy)).toEqual({ kind: 'ack' });
    expect(decideDelivery({ outcome: { action: 'ack' } }, 1, policy)).toEqual({ kind: 'ack' });
  });

  it('redelivers a retry after its own delay, else after the backoff step for that attempt', () => {
    expect(decideDelivery({ outcome: { action: 'retry', delayMs: 7 } }, 1, policy)).toEqual({ kind: 'redeliver', delayMs: 7 });
    expect(decideDelivery({ outcome: { action: 'retry' } }, 1, policy)).toEqual({ kind: 'redeliver', delayMs: 100 });
    expect(decideDelivery({ thrown: new Error('x') }, 2, policy)).toEqual({ kind: 'redeliver', delayMs: 200 });
    expect(decideDelivery({ thrown: new Error('x') }, 3, policy)).toEqual({ kind: 'redeliver', delayMs: 200 });
  });

  it('gives up on the last delivery, saying why', () => {
    expect(decideDelivery({ thrown: new Error('provider down') }, 4, policy)).toEqual({
      kind: 'give-up',
      reason: 'handler threw: provider down on delivery 4 of 4',
    });
    expect(decideDelivery({ outcome: { action: 'retry' } }, 4, policy)).toMatchObject({ kind: 'give-up' });
  });

  it('drops when asked, even on the first delivery', () => {
    expect(decideDelivery({ outcome: { action: 'drop', reason: 'gone' } }, 1, policy)).toEqual({ kind: 'drop', reason: 'gone' });
  });
});

describe('resolveConsumerOptions', () => {
  const handler = async () => undefined;

  it('fills in the defaults', () => {
    expect(resolveConsumerOptions({ durableName: 'sender', subjects: ['cmd.*.send.*'], handler })).toMatchObject({
      maxDeliver: 10,
      concurrency: 1,
      prefetch: 0,
      backoffMs: DEFAULT_BACKOFF_MS,
    });
  });

  it('refuses options that are programming errors', () => {
    expect(() => resolveConsumerOptions({ durableName: 'a b', subjects: ['chat.>'], handler })).toThrow(/durableName/);
    expect(() => resolveConsumerOptions({ durableName: 'a', subjects: [], handler })).toThrow(/at least one subject/);
    expect(() => resolveConsumerOptions({ durableName: 'a', subjects: ['live.>'], handler })).toThrow(/durable subjects/);
    expect(() => resolveConsumerOptions({ durableName: 'a', subjects: ['chat.>'], handler, concurrency: 0 })).toThrow(
      /concurrency/,
    );
    expect(() => resolveConsumerOptions({ durableName: 'a', subjects: ['chat.>'], handler, maxDeliver: 0 })).toThrow(
      /maxDeliver/,
    );
    expect(() => resolveConsumerOptions({ durableName: 'a', subjects: ['chat.>'], handler, prefetch: -1 })).toThrow(/prefetch/);
    expect(() => resolveConsumerOptions({ durableName: 'a', subjects: ['chat.>'], handler, prefetch: 1.5 })).toThrow(/prefetch/);
  });

  it('accepts a wildcard first token that reaches durable subjects', () => {
    expect(resolveConsumerOptions({ durableName: 'a', subjects: ['*.acme.>'], handler }).subjects).toEqual(['*.acme.>']);
  });
});
