import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../test-clock.js';
import { type TestObrol, startTestObrol } from '../test-env.js';

const DAY = 24 * 60 * 60 * 1000;

/** Every client mistake is a clear 4xx with a stable code; nothing leaks a stack trace. */
describe('bad input', () => {
  const clock = new TestClock(new Date('2026-11-20T08:00:00.000Z'));
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };

  beforeAll(async () => {
    env = await startTestObrol({ clock });
    inbox = await env.createTestChannel();
  });
  afterAll(async () => {
    await env?.close();
  });

  const expectError = (r: { status: number; body: { statusCode?: number; code?: string; message?: string } }, status: number, code: string) => {
    expect(r.status).toBe(status);
    expect(r.body.statusCode).toBe(status);
    expect(r.body.code).toBe(code);
    expect(typeof r.body.message).toBe('string');
    expect(JSON.stringify(r.body)).not.toMatch(/\s+at\s+\S+\s+\(/);
  };

  it('malformed JSON is a 400 MALFORMED_JSON', async () => {
    expectError(await env.api('POST', '/api/v1/agents', undefined, { raw: '{"email": ', headers: { 'content-type': 'application/json' } }), 400, 'MALFORMED_JSON');
  });

  it('a missing field is a 400 that names it', async () => {
    const r = await env.api('POST', '/api/v1/agents', { name: 'No Email' });
    expectError(r, 400, 'VALIDATION_FAILED');
    expect(r.body.message).toContain('email');
    expect(r.body.details.problems).toContainEqual(expect.objectContaining({ field: 'email' }));
  });

  it('a wrong type is a 400 that names the field', async () => {
    const r = await env.api('POST', '/api/v1/agents', { email: 'x@example.test', name: 42, inboxIds: 'all' });
    expectError(r, 400, 'VALIDATION_FAILED');
    const fields = r.body.details.problems.map((p: { field: string }) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'inboxIds']));
  });

  it('a message with both content and template, or an unknown content type, is refused', async () => {
    const list = await env.api('GET', '/api/v1/conversations');
    expect(list.status).toBe(200);
    const both = await env.api('POST', '/api/v1/messages', { channelAccountId: inbox.id, to: '+6281100000001', content: { type: 'text', text: 'a' }, template: { name: 'x', language: 'en' } });
    expectError(both, 400, 'VALIDATION_FAILED');
    const unknown = await env.api('POST', '/api/v1/messages', { channelAccountId: inbox.id, to: '+6281100000001', content: { type: 'hologram' } });
    expectError(unknown, 400, 'VALIDATION_FAILED');
    const badPhone = await env.api('POST', '/api/v1/messages', { channelAccountId: inbox.id, to: '0812-not-e164', content: { type: 'text', text: 'a' } });
    expectError(badPhone, 400, 'VALIDATION_FAILED');
    expect(badPhone.body.message).toContain('to');
  });

  it('a body over the limit is a 413', async () => {
    const huge = JSON.stringify({ name: 'x'.repeat(5 * 1024 * 1024) });
    expectError(await env.api('POST', '/api/v1/agents', undefined, { raw: huge, headers: { 'content-type': 'application/json' } }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('an unknown route is a 404 ROUTE_NOT_FOUND', async () => {
    expectError(await env.api('GET', '/api/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
    expectError(await env.api('GET', '/nope', undefined, { token: null }), 404, 'ROUTE_NOT_FOUND');
  });

  it("Fastify's own router errors come out in the API's error shape", async () => {
    for (const path of ['/api/v1/conversations/%E0%A4%A', '/api/v1/conversations/%', `/api/v1/conversations/${'a'.repeat(500)}`, `/webhooks/test/${'b'.repeat(300)}`]) {
      const r = await env.api('GET', path);
      expectError(r, 400, 'VALIDATION_FAILED');
      expect(JSON.stringify(r.body)).not.toContain('FST_');
    }
  });

  it('an unknown id is a 404 NOT_FOUND', async () => {
    expectError(await env.api('GET', '/api/v1/conversations/01a00000-0000-7000-8000-000000000000'), 404, 'NOT_FOUND');
    expectError(await env.api('POST', '/webhooks/test/01a00000-0000-7000-8000-000000000000', undefined, { token: null, raw: '{}', headers: { 'content-type': 'application/json' } }), 404, 'NOT_FOUND');
  });

  it('no token, a garbage token and an expired token are 401s with distinct codes', async () => {
    expectError(await env.api('GET', '/api/v1/me', undefined, { token: null }), 401, 'UNAUTHENTICATED');
    expectError(await env.api('GET', '/api/v1/me', undefined, { token: 'obs_garbage' }), 401, 'UNAUTHENTICATED');
    const token = await env.login(env.adminEmail, env.adminPassword);
    expect((await env.api('GET', '/api/v1/me', undefined, { token })).status).toBe(200);
    clock.advance(8 * DAY);
    expectError(await env.api('GET', '/api/v1/me', undefined, { token }), 401, 'TOKEN_EXPIRED');
    clock.advance(-8 * DAY);
  });

  it('wrong credentials are a 401 that does not say which part was wrong', async () => {
    const wrongPassword = await env.api('POST', '/api/v1/auth/login', { email: env.adminEmail, password: 'nope' }, { token: null });
    const unknownEmail = await env.api('POST', '/api/v1/auth/login', { email: 'ghost@example.test', password: 'nope' }, { token: null });
    expectError(wrongPassword, 401, 'UNAUTHENTICATED');
    expect(unknownEmail.body).toEqual(wrongPassword.body);
  });

  it('a common or trivial password is a 422 PASSWORD_TOO_WEAK that says why', async () => {
    for (const password of ['aaaaaaaaaa', '          ', 'password123', 'qwertyuiop']) {
      const r = await env.api('POST', '/api/v1/agents', { email: 'weak@example.test', name: 'Weak', password });
      expectError(r, 422, 'PASSWORD_TOO_WEAK');
      expect(r.body.details.problems[0].field).toBe('password');
    }
    const created = await env.api('POST', '/api/v1/agents', { email: 'strong@example.test', name: 'Strong', password: 'lantern-mango-orbit-7' });
    expect(created.status).toBe(201);
    expectError(await env.api('PATCH', `/api/v1/agents/${created.body.id}`, { password: 'strong@example.test' }), 422, 'PASSWORD_TOO_WEAK');
  });

  it('an agent may not use admin routes', async () => {
    await env.api('POST', '/api/v1/agents', { email: 'plain@example.test', name: 'Plain', password: 'plain-password-1' });
    const token = await env.login('plain@example.test', 'plain-password-1');
    expectError(await env.api('GET', '/api/v1/agents', undefined, { token }), 403, 'FORBIDDEN');
    expectError(await env.api('POST', '/api/v1/api-keys', { name: 'x' }, { token }), 403, 'FORBIDDEN');
  });

  it('a channel config that does not fit the plugin is a 422 naming the field, and bad credentials are refused', async () => {
    const invalid = await env.api('POST', '/api/v1/channels', { plugin: 'test', name: 'X', config: { webhookSecret: 'short' } });
    expectError(invalid, 422, 'CHANNEL_CONFIG_INVALID');
    expect(invalid.body.message).toContain('config.webhookSecret');
    const refused = await env.api('POST', '/api/v1/channels', { plugin: 'test', name: 'X', config: { webhookSecret: 'long-enough-secret', rejectCredentials: true } });
    expectError(refused, 422, 'CHANNEL_AUTH_FAILED');
    expectError(await env.api('POST', '/api/v1/channels', { plugin: 'carrier-pigeon', name: 'X', config: {} }), 404, 'NOT_FOUND');
  });

  it('never returns a channel secret', async () => {
    const r = await env.api('GET', `/api/v1/channels/${inbox.id}`);
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).not.toContain(inbox.webhookSecret);
    expect(r.body.secretsSet).toEqual(['webhookSecret']);
    expect(r.body.webhookUrl).toBe(`http://obrol.test/webhooks/test/${inbox.id}`);
  });

  it('a bad cursor or query value is a 400', async () => {
    expectError(await env.api('GET', '/api/v1/conversations?cursor=%%%'), 400, 'VALIDATION_FAILED');
    expectError(await env.api('GET', '/api/v1/conversations?window=sometimes'), 400, 'VALIDATION_FAILED');
    expectError(await env.api('GET', '/api/v1/conversations?limit=100000'), 400, 'VALIDATION_FAILED');
  });

  it('every answer carries the browser security headers, provider webhooks (a plain Fastify route) included', async () => {
    const answers = ([['/healthz', null], ['/api/v1/me', undefined], ['/api/v1/nothing-here', undefined], ['/api/docs', null]] as const).map(([path, token]) => [path as string, () => env.api('GET', path, undefined, { token })] as const);
    answers.push([`POST /webhooks/test/${inbox.id}`, () => env.postWebhook(inbox.id, inbox.webhookSecret, { events: [] } as never)]);
    for (const [path, answer] of answers) {
      const r = await answer();
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("object-src 'none'");
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(r.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(r.headers.get('x-frame-options'), path).toBe('DENY');
    }
  });

  it('a javascript: URL in message content is a 400', async () => {
    const r = await env.api('POST', '/api/v1/messages', { channelAccountId: inbox.id, to: '+6281100000001', content: { type: 'location', latitude: 1, longitude: 2, url: 'javascript:alert(1)' } });
    expectError(r, 400, 'VALIDATION_FAILED');
    expect(r.body.message).toContain('content.url');
  });

  it('a webhook in a content type that is not JSON is a 415 in the API error shape', async () => {
    const r = await env.api('POST', `/webhooks/test/${inbox.id}`, undefined, { token: null, raw: '<a/>', headers: { 'content-type': 'application/xml' } });
    expectError(r, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a webhook for the test channel with a bad body is a 400 after the signature check', async () => {
    const r = await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [{ type: 'message' }] } as never);
    expectError(r, 400, 'WEBHOOK_PAYLOAD_INVALID');
  });
});

describe('login rate limit', () => {
  it('answers 429 RATE_LIMITED past the allowed attempts per minute', async () => {
    const env = await startTestObrol({ loginRateLimitPerMinute: 5 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await env.api('POST', '/api/v1/auth/login', { email: 'a@b.test', password: 'x' }, { token: null });
        statuses.push(r.status);
        if (i === 5) expect(r.body.code).toBe('RATE_LIMITED');
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    } finally {
      await env.close();
    }
  });
});
