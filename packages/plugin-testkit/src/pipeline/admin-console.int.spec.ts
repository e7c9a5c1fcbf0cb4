import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvents } from '../test-channel/test-webhook.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();

const tokenOf = (url: string) => url.split('/set-password/')[1]!;

/** What the admin console does through the API: account, agents and links, channel forms and checks, templates. */
for (const stack of stacks) describe.skipIf(!stack.run)(`admin console API on ${stack.name}`, () => {
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus });
    inbox = await env.createTestChannel('Sales');
  });
  afterAll(async () => {
    await env?.close();
  });

  it('an agent changes their own password with the current one; other sessions end, this one stays', async () => {
    await env.api('POST', '/api/v1/agents', { email: 'sari@example.test', name: 'Sari', password: 'lantern-mango-orbit-7' });
    const here = await env.login('sari@example.test', 'lantern-mango-orbit-7');
    const elsewhere = await env.login('sari@example.test', 'lantern-mango-orbit-7');
    const wrong = await env.api('POST', '/api/v1/me/password', { currentPassword: 'not-my-password', newPassword: 'quiet-harbour-lamp-42' }, { token: here });
    expect(wrong.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    const weak = await env.api('POST', '/api/v1/me/password', { currentPassword: 'lantern-mango-orbit-7', newPassword: 'password123' }, { token: here });
    expect(weak.body).toMatchObject({ statusCode: 422, code: 'PASSWORD_TOO_WEAK' });
    expect((await env.api('POST', '/api/v1/me/password', { currentPassword: 'lantern-mango-orbit-7', newPassword: 'quiet-harbour-lamp-42' }, { token: here })).status).toBe(204);
    expect((await env.api('GET', '/api/v1/me', undefined, { token: here })).status).toBe(200);
    expect((await env.api('GET', '/api/v1/me', undefined, { token: elsewhere })).status).toBe(401);
    expect((await env.api('POST', '/api/v1/auth/login', { email: 'sari@example.test', password: 'lantern-mango-orbit-7' }, { token: null })).status).toBe(401);
    await env.login('sari@example.test', 'quiet-harbour-lamp-42');
  });

  it('an agent keeps a language and notification settings; API keys have no account', async () => {
    const token = await env.login('sari@example.test', 'quiet-harbour-lamp-42');
    expect((await env.api('GET', '/api/v1/me', undefined, { token })).body).toMatchObject({ locale: null, notifications: { newConversationSound: true, assignedToMe: true, everyMessage: false } });
    const r = await env.api('PATCH', '/api/v1/me', { locale: 'id', notifications: { newConversationSound: false } }, { token });
    expect(r.body).toMatchObject({ locale: 'id', notifications: { newConversationSound: false, assignedToMe: true } });
    expect((await env.api('PATCH', '/api/v1/me', { locale: 'fr' }, { token })).body.code).toBe('VALIDATION_FAILED');
    const key = (await env.api('POST', '/api/v1/api-keys', { name: 'backend' })).body.key;
    expect((await env.api('PATCH', '/api/v1/me', { locale: 'en' }, { token: key })).body.code).toBe('FORBIDDEN');
  });

  it('an invitation hands out a one-time link; the agent sets a password with it, once', async () => {
    const invited = await env.api('POST', '/api/v1/agents', { email: 'Budi@Example.test', name: 'Budi', role: 'marketer', inboxIds: [inbox.id] });
    expect(invited.status).toBe(201);
    expect(invited.body).toMatchObject({ email: 'budi@example.test', role: 'marketer', inboxIds: [inbox.id], setPasswordLink: { purpose: 'invite' } });
    expect(invited.body.password).toBeUndefined();
    const token = tokenOf(invited.body.setPasswordLink.url);
    expect(invited.body.setPasswordLink.url).toMatch(/^https?:\/\/[^/]+\/#\/set-password\/obp_[\w-]{43}$/);
    expect((await env.api('GET', `/api/v1/password-links/${token}`, undefined, { token: null })).body).toMatchObject({ purpose: 'invite', email: 'budi@example.test', name: 'Budi' });
    expect((await env.api('POST', `/api/v1/password-links/${token}`, { password: 'budi' }, { token: null })).body.code).toBe('PASSWORD_TOO_WEAK');
    expect((await env.api('POST', `/api/v1/password-links/${token}`, { password: 'copper-kettle-river-9' }, { token: null })).body).toEqual({ email: 'budi@example.test' });
    expect((await env.api('POST', `/api/v1/password-links/${token}`, { password: 'another-phrase-entirely-3' }, { token: null })).body.code).toBe('NOT_FOUND');
    expect((await env.api('GET', `/api/v1/password-links/${token}`, undefined, { token: null })).status).toBe(404);
    const budi = await env.login('budi@example.test', 'copper-kettle-river-9');
    // A marketer works in their inboxes but not in the admin area.
    expect((await env.api('GET', '/api/v1/channels', undefined, { token: budi })).body.items.map((c: { id: string }) => c.id)).toEqual([inbox.id]);
    expect((await env.api('GET', '/api/v1/agents', undefined, { token: budi })).body.code).toBe('FORBIDDEN');
    expect((await env.api('POST', '/api/v1/api-keys', { name: 'x' }, { token: budi })).body.code).toBe('FORBIDDEN');
  });

  it("an admin resets another agent's password with a link; a newer link replaces an older one", async () => {
    const agent = (await env.api('POST', '/api/v1/agents', { email: 'dewi@example.test', name: 'Dewi', password: 'violet-cactus-drum-5' })).body;
    const session = await env.login('dewi@example.test', 'violet-cactus-drum-5');
    const first = await env.api('POST', `/api/v1/agents/${agent.id}/password-link`);
    expect(first.body).toMatchObject({ purpose: 'reset' });
    const second = (await env.api('POST', `/api/v1/agents/${agent.id}/password-link`)).body;
    expect((await env.api('GET', `/api/v1/password-links/${tokenOf(first.body.url)}`, undefined, { token: null })).status).toBe(404);
    // Until the link is used the old password still works.
    await env.login('dewi@example.test', 'violet-cactus-drum-5');
    expect((await env.api('POST', `/api/v1/password-links/${tokenOf(second.url)}`, { password: 'amber-glacier-toast-8' }, { token: null })).status).toBe(200);
    expect((await env.api('GET', '/api/v1/me', undefined, { token: session })).status).toBe(401);
    await env.login('dewi@example.test', 'amber-glacier-toast-8');
    const sari = await env.login('sari@example.test', 'quiet-harbour-lamp-42');
    expect((await env.api('POST', `/api/v1/agents/${agent.id}/password-link`, undefined, { token: sari })).body.code).toBe('FORBIDDEN');
  });

  it('deactivating an agent ends their sessions and their unused links', async () => {
    const invited = (await env.api('POST', '/api/v1/agents', { email: 'eko@example.test', name: 'Eko' })).body;
    const set = await env.api('POST', `/api/v1/password-links/${tokenOf(invited.setPasswordLink.url)}`, { password: 'saffron-pylon-breeze-2' }, { token: null });
    expect(set.status).toBe(200);
    const session = await env.login('eko@example.test', 'saffron-pylon-breeze-2');
    const link = (await env.api('POST', `/api/v1/agents/${invited.id}/password-link`)).body;
    expect((await env.api('PATCH', `/api/v1/agents/${invited.id}`, { active: false })).body.active).toBe(false);
    expect((await env.api('GET', '/api/v1/me', undefined, { token: session })).status).toBe(401);
    expect((await env.api('GET', `/api/v1/password-links/${tokenOf(link.url)}`, undefined, { token: null })).status).toBe(404);
    expect((await env.api('POST', `/api/v1/agents/${invited.id}/password-link`)).body.code).toBe('CONFLICT');
  });

  it("lists channel plugins with a configuration form generated from the plugin's schema", async () => {
    const plugins = (await env.api('GET', '/api/v1/channel-plugins')).body.items;
    const test = plugins.find((p: { id: string }) => p.id === 'test');
    expect(test.hasVerifyToken).toBe(true);
    expect(test.configForm).toEqual([
      { name: 'webhookSecret', type: 'string', label: 'Webhook secret', description: null, secret: true, required: true, enum: null, format: null, pattern: null },
      { name: 'accountId', type: 'string', label: 'Account ID', description: null, secret: false, required: false, enum: null, default: 'test-account', format: null, pattern: null },
      { name: 'rejectCredentials', type: 'boolean', label: 'Reject credentials', description: null, secret: false, required: false, enum: null, default: false, format: null, pattern: null },
    ]);
  });

  it('tests a connection without saving it, with the reason in words', async () => {
    const before = (await env.api('GET', '/api/v1/channels')).body.items.length;
    expect((await env.api('POST', '/api/v1/channel-plugins/test/check', { config: { webhookSecret: 'long-enough-secret', accountId: 'acct-9' } })).body).toEqual({
      externalId: 'acct-9',
      displayName: 'Test account',
      displayPhoneNumber: null,
      details: {},
    });
    const refused = await env.api('POST', '/api/v1/channel-plugins/test/check', { config: { webhookSecret: 'long-enough-secret', rejectCredentials: true } });
    expect(refused.body).toMatchObject({ statusCode: 422, code: 'CHANNEL_AUTH_FAILED', message: 'The test provider refused these credentials.' });
    const invalid = await env.api('POST', '/api/v1/channel-plugins/test/check', { config: { webhookSecret: 'short' } });
    expect(invalid.body).toMatchObject({ code: 'CHANNEL_CONFIG_INVALID', details: { problems: [{ field: 'config.webhookSecret' }] } });
    expect((await env.api('POST', '/api/v1/channel-plugins/nope/check', { config: {} })).body.code).toBe('NOT_FOUND');
    expect((await env.api('GET', '/api/v1/channels')).body.items).toHaveLength(before);
  });

  it("shows a channel's health: the last check and when a webhook last arrived", async () => {
    const created = (await env.api('GET', `/api/v1/channels/${inbox.id}`)).body;
    expect(created.health).toMatchObject({ displayName: 'Test account', lastWebhookAt: null });
    expect(created.health.checkedAt).not.toBeNull();
    await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('health-1', { id: '6281800000009' }, 'halo')] });
    const after = await eventually(async () => (await env.api('GET', `/api/v1/channels/${inbox.id}`)).body.health.lastWebhookAt, 10_000, 'lastWebhookAt');
    expect(Date.parse(after)).not.toBeNaN();
    expect((await env.api('POST', `/api/v1/channels/${inbox.id}/check`)).body.health.checkedAt >= created.health.checkedAt).toBe(true);
  });

  it('lints a draft as the admin types, shape problems included, without a 400', async () => {
    const lint = (draft: unknown) => env.api('POST', `/api/v1/channels/${inbox.id}/templates/lint`, { draft });
    const bad = await lint({ name: 'Bad Name', language: 'en', category: 'UTILITY', components: { body: { text: 'Hi' } } });
    expect(bad.status).toBe(200);
    expect(bad.body.problems).toEqual([expect.objectContaining({ path: 'name', rule: 'name.format' })]);
    const half = await lint({ name: 'order_ready', language: 'en', category: 'UTILITY', components: { body: { text: '' } } });
    expect(half.body.problems).toEqual([expect.objectContaining({ path: 'components.body.text' })]);
    expect((await lint({ name: 'order_ready', language: 'en', category: 'UTILITY', components: { body: { text: 'Ready' } } })).body.problems).toEqual([]);
  });

  it('registers a template that exists at the provider, and refuses one that does not', async () => {
    env.provider.templates.push({ name: 'made_elsewhere', language: 'id', category: 'MARKETING', parameterFormat: 'positional', components: { body: { text: 'Promo {{1}}' } }, status: 'APPROVED', externalId: 'tpl-x' });
    const register = (body: unknown) => env.api('POST', `/api/v1/channels/${inbox.id}/templates/register`, body);
    expect((await register({ name: 'made_elsewhere', language: 'en' })).body).toMatchObject({ code: 'TEMPLATE_NOT_FOUND', message: expect.stringContaining('exists in id') });
    expect((await register({ name: 'never_made', language: 'id' })).body.code).toBe('TEMPLATE_NOT_FOUND');
    expect((await register({ name: 'made_elsewhere', language: 'id', category: 'UTILITY' })).body.code).toBe('VALIDATION_FAILED');
    const ok = await register({ name: 'made_elsewhere', language: 'id', category: 'MARKETING', namespace: 'abc_123' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ name: 'made_elsewhere', status: 'APPROVED', externalId: 'tpl-x' });
    const listed = (await env.api('GET', `/api/v1/channels/${inbox.id}/templates`)).body.items;
    expect(listed.map((t: { name: string }) => t.name)).toContain('made_elsewhere');
  });

  it('edits a rejected template in place and resubmits it; an approved one stays editable, one in review is not', async () => {
    env.provider.templates.push({ name: 'late_notice', language: 'en', category: 'UTILITY', parameterFormat: 'positional', components: { body: { text: '{{1}} is late' } }, status: 'REJECTED', rejectionReason: 'INVALID_FORMAT', externalId: 'tpl-late' });
    const registered = (await env.api('POST', `/api/v1/channels/${inbox.id}/templates/register`, { name: 'late_notice', language: 'en' })).body;
    expect(registered).toMatchObject({ status: 'REJECTED', rejectionReason: 'INVALID_FORMAT' });
    const socket = await env.realtime(await env.adminToken());
    const edit = (body: unknown) => env.api('PUT', `/api/v1/channels/${inbox.id}/templates/${registered.id}`, body);
    const draft = { name: 'ignored_name', language: 'en', category: 'UTILITY', components: { body: { text: 'Your order {{1}} is late, sorry.', examples: ['#1042'] } } };
    expect((await edit({ ...draft, name: 'Bad Name' })).status).toBe(200);
    const edited = (await env.api('GET', `/api/v1/channels/${inbox.id}/templates`)).body.items.find((t: { id: string }) => t.id === registered.id);
    expect(edited).toMatchObject({ name: 'late_notice', status: 'PENDING', rejectionReason: null, components: { body: { text: 'Your order {{1}} is late, sorry.' } } });
    expect(env.provider.templates.find((t) => t.externalId === 'tpl-late')).toMatchObject({ status: 'PENDING', components: { body: { text: 'Your order {{1}} is late, sorry.' } } });
    await socket.waitFor((f) => f.type === 'template.status' && f.data.templateId === registered.id && f.data.status === 'PENDING', 20_000);
    socket.close();
    expect((await edit(draft)).body).toMatchObject({ statusCode: 409, code: 'CONFLICT' });
    const budi = await env.login('budi@example.test', 'copper-kettle-river-9');
    expect((await env.api('PUT', `/api/v1/channels/${inbox.id}/templates/${registered.id}`, draft, { token: budi })).body.code).toBe('FORBIDDEN');
  });
});
