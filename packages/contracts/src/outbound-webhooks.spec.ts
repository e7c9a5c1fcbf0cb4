import { describe, expect, it } from 'vitest';
import { isKnownEventPattern, subscribesTo, webhookEventCatalogue } from './outbound-webhooks.js';

describe('outbound webhook events', () => {
  it('lists every fact with a description', () => {
    const types = webhookEventCatalogue().map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['message.received', 'message.sent', 'message.status', 'conversation.opened', 'conversation.assigned', 'conversation.resolved', 'template.status']));
    expect(webhookEventCatalogue().every((e) => e.description.length > 10)).toBe(true);
  });

  it('matches exact names, aggregate wildcards and *', () => {
    expect(subscribesTo(['message.received'], 'message.received')).toBe(true);
    expect(subscribesTo(['message.received'], 'message.status')).toBe(false);
    expect(subscribesTo(['message.*'], 'message.status')).toBe(true);
    expect(subscribesTo(['message.*'], 'conversation.opened')).toBe(false);
    // `message.*` is the aggregate `message`, not every name starting with "message".
    expect(subscribesTo(['message.*'], 'messages.x')).toBe(false);
    expect(subscribesTo(['*'], 'template.status')).toBe(true);
    expect(subscribesTo(['conversation.resolved', 'template.*'], 'template.status')).toBe(true);
    expect(subscribesTo([], 'message.received')).toBe(false);
  });

  it('knows which patterns name something that exists', () => {
    for (const p of ['*', 'message.*', 'conversation.*', 'message.received', 'template.status']) expect(isKnownEventPattern(p), p).toBe(true);
    for (const p of ['message', 'message.deleted', 'foo.*', '**', 'message.*.x', '.*']) expect(isKnownEventPattern(p), p).toBe(false);
  });
});
