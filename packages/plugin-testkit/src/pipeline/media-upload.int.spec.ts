import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvents } from '../test-channel/test-webhook.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();
// The 8-byte PNG signature and an IHDR start: enough bytes for a stored "image".
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

/** Browsers upload attachments as multipart/form-data; the channel's declared limits decide what is accepted. */
for (const stack of stacks) describe.skipIf(!stack.run)(`multipart media upload on ${stack.name}`, () => {
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };

  const upload = async (form: FormData) => {
    const r = await fetch(`${env.url}/api/v1/media?channelAccountId=${inbox.id}`, { method: 'POST', headers: { authorization: `Bearer ${await env.adminToken()}` }, body: form });
    return { status: r.status, body: (await r.json()) as any };
  };
  const file = (bytes: Uint8Array, type: string, name: string) => {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type }), name);
    return form;
  };

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus });
    inbox = await env.createTestChannel('Support');
  });
  afterAll(async () => {
    await env?.close();
  });

  it('shows the channel media limits to clients, so they check before uploading', async () => {
    const channel = await env.api('GET', `/api/v1/channels/${inbox.id}`);
    expect(channel.body.mediaLimits).toEqual({ maxBytes: { image: 5 * 1024 * 1024, document: 100 * 1024 * 1024 }, mimeTypes: { image: ['image/jpeg', 'image/png'] } });
  });

  it('accepts a multipart file with its own type and name, usable in a message', async () => {
    const r = await upload(file(PNG, 'image/png', 'resi-JNE123456.png'));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ mimeType: 'image/png', sizeBytes: PNG.length, filename: 'resi-JNE123456.png' });
    const stored = await env.api('GET', `/api/v1/media/${r.body.mediaId}`);
    expect(stored.headers.get('content-type')).toBe('image/png');

    await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('mp-1', { id: '6281300000001' }, 'kirim fotonya')] });
    const c = await eventually(async () => (await env.api('GET', '/api/v1/conversations')).body.items[0], 10_000, 'conversation');
    const sent = await env.api('POST', `/api/v1/conversations/${c.id}/messages`, { content: { type: 'image', media: { mediaId: r.body.mediaId, caption: 'Ini resinya' } } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    // The send itself (upload to the provider) is the plugin's: the WhatsApp e2e covers it on the simulator.
    expect(sent.body).toMatchObject({ direction: 'outbound', content: { type: 'image', media: { mediaId: r.body.mediaId, caption: 'Ini resinya' } } });
  });

  it('refuses a type the channel does not take, an empty file, or a missing file part, in words', async () => {
    const gif = await upload(file(new Uint8Array([71, 73, 70, 56]), 'image/gif', 'x.gif'));
    expect(gif.body).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(gif.body.message).toContain('image/png');
    expect((await upload(file(new Uint8Array(), 'image/png', 'empty.png'))).body.code).toBe('VALIDATION_FAILED');
    const form = new FormData();
    form.append('other', 'x');
    expect((await upload(form)).body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
  });

  it('refuses a file over the channel limit with 413', async () => {
    const big = await upload(file(new Uint8Array(5 * 1024 * 1024 + 1), 'image/png', 'big.png'));
    expect(big.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });
});
