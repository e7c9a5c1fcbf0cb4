import { TestClock, type TestObrol, availableStacks, eventually, startTestObrol } from '@obrol/plugin-testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type WhatsAppSimulator, startWhatsAppSimulator } from '@obrol/whatsapp-cloud-simulator';
import { signWhatsAppPayload } from './webhook-signature.js';
import { WhatsAppPlugin } from './whatsapp.plugin.js';

// Sends cross NATS, a worker and the simulator: on a loaded 2-core machine they can take seconds.
vi.setConfig({ testTimeout: 90_000 });
const HOUR = 60 * 60 * 1000;

const stacks = await availableStacks();

/**
 * The WhatsApp plugin inside Obrol, against the Cloud API simulator: every webhook is signed,
 * delivered twice, and statuses arrive out of order. Obrol's clock and the simulator's are one.
 */
// A stack whose services are missing (outside CI) still lists every test, as skipped.
for (const stack of stacks) describe.skipIf(!stack.run)(`WhatsApp channel against the simulator on ${stack.name}`, () => {
  const clock = new TestClock(new Date('2026-11-20T08:00:00.000Z'));
  // The simulator runs on Obrol's clock, plus a skew one test uses to make Meta's view differ.
  let metaSkewMs = 0;
  const metaClock = { now: () => new Date(clock.now().getTime() + metaSkewMs) };
  let env: TestObrol;
  let sim: WhatsAppSimulator;
  let channelId: string;
  const appSecret = 'sim-app-secret-0123456789';
  const accessToken = 'sim-token-abc';

  beforeAll(async () => {
    sim = await startWhatsAppSimulator({
      appSecret,
      accessToken,
      clock: metaClock,
      duplicateWebhooks: true,
      shuffleStatuses: true,
      statusDelaysMs: { sent: 5, delivered: 10, read: 15 },
      templateReview: { mode: 'approve', delayMs: 20 },
      // Meta keeps retrying for days; here enough retries to outlast a simulated outage on a loaded machine.
      webhookRetry: { maxAttempts: 12, baseDelayMs: 20, maxDelayMs: 1_000 },
      pairRateLimit: false,
    });
    env = await startTestObrol({ database: stack.database, bus: stack.bus, clock, plugins: [WhatsAppPlugin] });
    const created = await env.api('POST', '/api/v1/channels', {
      plugin: 'whatsapp',
      name: 'WhatsApp',
      config: { phoneNumberId: sim.config.phoneNumberId, wabaId: sim.config.wabaId, accessToken, appSecret, verifyToken: 'verify-me', graphApiBaseUrl: sim.url },
    });
    expect(created.status).toBe(201);
    expect(created.body.templateSync.total).toBeGreaterThanOrEqual(3);
    channelId = created.body.id;
    sim.setWebhookUrl(`${env.url}/webhooks/whatsapp/${channelId}`);
  });
  afterAll(async () => {
    await sim?.close();
    await env?.close();
  });

  async function conversationFor(phone: string) {
    return eventually(async () => {
      const r = await env.api('GET', `/api/v1/conversations?channelAccountId=${channelId}`);
      return (r.body.items as { id: string; contact: { phone: string | null }; window: { open: boolean } }[]).find((c) => c.contact.phone === phone);
    }, 30_000, `the conversation with ${phone}`);
  }
  async function messages(conversationId: string) {
    return (await env.api('GET', `/api/v1/conversations/${conversationId}/messages?order=asc&limit=200`)).body.items as {
      id: string;
      direction: string;
      content: { type: string; [k: string]: unknown };
      status: string;
      externalId: string | null;
      error: { code: string } | null;
    }[];
  }

  it('answers the verification handshake and refuses a wrong verify token', async () => {
    const ok = await env.api('GET', `/webhooks/whatsapp/${channelId}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me`, undefined, { token: null });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe(1158201444);
    const wrong = await env.api('GET', `/webhooks/whatsapp/${channelId}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope`, undefined, { token: null });
    expect(wrong.status).toBe(403);
  });

  it('refuses a forged signature and stores nothing', async () => {
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: sim.config.wabaId, changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '1', phone_number_id: sim.config.phoneNumberId }, contacts: [{ wa_id: '6281999', profile: { name: 'Evil' } }], messages: [{ from: '6281999', id: 'wamid.FORGED', timestamp: '1795500000', type: 'text', text: { body: 'x' } }] } }] }] });
    const forged = await env.api('POST', `/webhooks/whatsapp/${channelId}`, undefined, { token: null, raw: body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppPayload(body, 'not-the-secret') } });
    expect(forged.status).toBe(401);
    const missing = await env.api('POST', `/webhooks/whatsapp/${channelId}`, undefined, { token: null, raw: body, headers: { 'content-type': 'application/json' } });
    expect(missing.status).toBe(401);
    const list = await env.api('GET', '/api/v1/contacts?q=6281999');
    expect(list.body.items).toEqual([]);
  });

  it('normalises every inbound type, once each, and stores inbound media for agents', async () => {
    const phone = '+6281300000001';
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
    const sends = [
      () => sim.customers.send(phone, 'Halo!', { name: 'Rina' }),
      () => sim.customers.send(phone, { type: 'image', data: png, mimeType: 'image/png', caption: 'bukti transfer' }),
      () => sim.customers.send(phone, { type: 'video' }),
      () => sim.customers.send(phone, { type: 'audio', voice: true }),
      () => sim.customers.send(phone, { type: 'document', filename: 'invoice.pdf', mimeType: 'application/pdf' }),
      () => sim.customers.send(phone, { type: 'sticker' }),
      () => sim.customers.send(phone, { type: 'location', latitude: -6.2, longitude: 106.8, name: 'Monas' }),
      () => sim.customers.send(phone, { type: 'contacts', contacts: [{ name: { formatted_name: 'Andi' }, phones: [{ phone: '+62811', type: 'CELL' }] }] }),
      () => sim.customers.send(phone, { type: 'order', catalogId: 'cat-1', productItems: [{ product_retailer_id: 'sku-1', quantity: 2, item_price: 50000, currency: 'IDR' }] }),
      () => sim.customers.send(phone, { type: 'unsupported', unsupportedType: 'poll_update' }),
    ];
    for (const send of sends) send();
    const conversation = await conversationFor(phone);
    const all = await eventually(async () => {
      const m = await messages(conversation.id);
      return m.length >= sends.length ? m : null;
    }, 30_000, 'all inbound messages');
    expect(all.map((m) => m.content.type).sort()).toEqual(['audio', 'contacts', 'document', 'image', 'location', 'order', 'sticker', 'text', 'unsupported', 'video'].sort());
    expect(new Set(all.map((m) => m.externalId)).size).toBe(all.length);
    const location = all.find((m) => m.content.type === 'location')!;
    expect(location.content).toMatchObject({ latitude: -6.2, longitude: 106.8, name: 'Monas' });
    expect(all.find((m) => m.content.type === 'document')!.content).toMatchObject({ filename: 'invoice.pdf' });
    expect(all.find((m) => m.content.type === 'unsupported')!.content).toMatchObject({ type: 'unsupported' });

    const image = await eventually(async () => {
      const m = (await messages(conversation.id)).find((x) => x.content.type === 'image');
      return (m?.content.media as { mediaId?: string } | undefined)?.mediaId ? m : null;
    }, 30_000, 'the image to be downloaded');
    const mediaId = (image.content.media as { mediaId: string }).mediaId;
    const response = await fetch(`${env.url}/api/v1/media/${mediaId}`, { headers: { authorization: `Bearer ${await env.adminToken()}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await response.arrayBuffer()).equals(png)).toBe(true);
    expect((await fetch(`${env.url}/api/v1/media/${mediaId}`)).status).toBe(401);

    const contact = await env.api('GET', `/api/v1/contacts?q=${encodeURIComponent('Rina')}`);
    expect(contact.body.items[0]).toMatchObject({ name: 'Rina', phone, externalId: phone.slice(1) });
  });

  it('replies inside the window, moves statuses forward despite duplicates and shuffling, and maps interactive replies', async () => {
    const phone = '+6281300000002';
    sim.customers.send(phone, 'Ada warna lain?', { name: 'Yusuf' });
    const conversation = await conversationFor(phone);
    const reply = await env.api('POST', `/api/v1/conversations/${conversation.id}/messages`, {
      content: { type: 'interactive', interactive: { kind: 'buttons', body: 'Pilih warna', buttons: [{ id: 'blue', title: 'Biru' }, { id: 'red', title: 'Merah' }] } },
    });
    expect(reply.status).toBe(202);
    await eventually(() => sim.inbox(phone).length === 1, 30_000, 'the simulator to receive the reply');
    sim.readAll(phone);
    const read = await eventually(async () => (await messages(conversation.id)).find((m) => m.id === reply.body.id && m.status === 'read'), 30_000, 'status read');
    expect(read.externalId).toMatch(/^wamid\./);

    sim.customers.send(phone, { type: 'button_reply', id: 'blue', title: 'Biru' });
    const answer = await eventually(async () => (await messages(conversation.id)).find((m) => m.content.type === 'interactive_reply'), 30_000, 'the button reply');
    expect(answer.content).toMatchObject({ reply: { kind: 'button', id: 'blue', title: 'Biru' } });

    sim.customers.send(phone, { type: 'reaction', messageId: read.externalId!, emoji: '👍' });
    const reaction = await eventually(async () => (await messages(conversation.id)).find((m) => m.content.type === 'reaction'), 30_000, 'the reaction');
    expect(reaction.content).toMatchObject({ targetExternalId: read.externalId, emoji: '👍' });
  });

  it('refuses a session message at 24:00:01 with WINDOW_CLOSED, accepts it at 23:59:59, then a template, and a template reply reopens the window', async () => {
    const phone = '+6281300000003';
    const wroteAt = clock.now();
    sim.customers.send(phone, 'Kapan buka?', { name: 'Lina' });
    const conversation = await conversationFor(phone);
    const session = () => env.api('POST', `/api/v1/conversations/${conversation.id}/messages`, { content: { type: 'text', text: 'Jam 9 pagi' } });

    clock.set(new Date(wroteAt.getTime() + 24 * HOUR - 1000));
    expect((await session()).status).toBe(202);
    await eventually(() => sim.inbox(phone).length === 1, 30_000, 'the in-window reply');

    clock.set(new Date(wroteAt.getTime() + 24 * HOUR + 1000));
    const late = await session();
    expect(late.status).toBe(422);
    expect(late.body.code).toBe('WINDOW_CLOSED');
    expect(sim.inbox(phone)).toHaveLength(1);

    const template = await env.api('POST', `/api/v1/conversations/${conversation.id}/messages`, {
      template: { name: 'order_update', language: 'en_US', parameters: { body: [{ type: 'text', text: 'Lina' }, { type: 'text', text: '#1042' }, { type: 'text', text: 'ready for pickup' }] } },
    });
    expect(template.status, JSON.stringify(template.body)).toBe(202);
    await eventually(() => sim.inbox(phone).length === 2, 30_000, 'the template');
    const badParams = await env.api('POST', `/api/v1/conversations/${conversation.id}/messages`, { template: { name: 'order_update', language: 'en_US', parameters: { body: [] } } });
    expect(badParams.body.code).toBe('TEMPLATE_PARAMS_INVALID');

    sim.customers.send(phone, { type: 'button', text: 'Track order', payload: 'track' });
    await eventually(async () => (await env.api('GET', `/api/v1/conversations/${conversation.id}`)).body.window.open === true, 30_000, 'the window to reopen');
    expect((await session()).status).toBe(202);
    await eventually(() => sim.inbox(phone).length === 3, 30_000, 'the reply in the reopened window');
    clock.set(new Date(wroteAt.getTime() + 48 * HOUR));
  });

  it("maps Meta's own 131047 to WINDOW_CLOSED when the window closed on Meta's side", async () => {
    const phone = '+6281300000004';
    sim.customers.send(phone, 'ping', { name: 'Tono' });
    const conversation = await conversationFor(phone);
    metaSkewMs = 25 * HOUR;
    try {
      const send = await env.api('POST', `/api/v1/conversations/${conversation.id}/messages`, { content: { type: 'text', text: 'pong' } });
      expect(send.status).toBe(202);
      const failed = await eventually(async () => (await messages(conversation.id)).find((m) => m.id === send.body.id && m.status === 'failed'), 30_000, 'the failed status');
      expect(failed.error).toMatchObject({ code: 'WINDOW_CLOSED', providerCode: 131047 });
    } finally {
      metaSkewMs = 0;
    }
  });

  it('answers 5xx while the database is down, so Meta retries, and loses nothing', async () => {
    const phone = '+6281300000005';
    const restore = await env.databaseOutage();
    let wamid = '';
    try {
      wamid = sim.customers.send(phone, 'Masih buka?', { name: 'Agus' });
      await eventually(
        () => sim.deliveries.some((d) => d.body.includes(wamid) && d.attempts.some((a) => (a.statusCode ?? 0) >= 500)),
        10_000,
        'a refused delivery while the database is down',
      );
    } finally {
      await restore();
    }
    const conversation = await conversationFor(phone);
    const stored = await eventually(async () => (await messages(conversation.id)).filter((m) => m.externalId === wamid), 30_000, 'the retried message');
    expect(stored).toHaveLength(1);
    const refused = sim.deliveries.filter((d) => d.body.includes(wamid)).flatMap((d) => d.attempts.map((a) => a.statusCode)).filter((c) => (c ?? 0) >= 500);
    expect(refused.every((c) => c === 503)).toBe(true);
  });

  it("uploads an agent's file to WhatsApp before sending it, and marks the customer's messages read", async () => {
    const phone = '+6281300000006';
    sim.customers.send(phone, 'Kirim katalognya dong', { name: 'Maya' });
    const conversation = await conversationFor(phone);
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    const uploaded = await env.api('POST', `/api/v1/media?channelAccountId=${channelId}&filename=katalog.pdf`, undefined, { raw: pdf, headers: { 'content-type': 'application/pdf' } });
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    const refused = await env.api('POST', `/api/v1/media?channelAccountId=${channelId}`, undefined, { raw: 'MZ', headers: { 'content-type': 'application/x-msdownload' } });
    expect(refused.status).toBe(415);
    const send = await env.api('POST', `/api/v1/conversations/${conversation.id}/messages`, { content: { type: 'document', media: { mediaId: uploaded.body.mediaId }, filename: 'katalog.pdf' } });
    expect(send.status).toBe(202);
    const received = await eventually(() => sim.inbox(phone).find((m) => m.type === 'document'), 30_000, 'the document at the simulator');
    const providerId = (received.request as { document: { id: string; filename: string } }).document;
    expect(providerId.filename).toBe('katalog.pdf');
    expect(sim.media(providerId.id)?.bytes.equals(pdf)).toBe(true);

    expect((await env.api('PATCH', `/api/v1/conversations/${conversation.id}`, { markRead: true })).status).toBe(200);
    await eventually(() => sim.conversationFrom(phone).every((m) => m.readByBusiness), 30_000, 'the read receipt');
  });

  it('submits a template, lints it first, and stores the approval webhook', async () => {
    const bad = await env.api('POST', `/api/v1/channels/${channelId}/templates`, {
      name: 'Bad Name',
      language: 'en_US',
      category: 'UTILITY',
      components: { body: { text: '{{1}}{{2}}' } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('TEMPLATE_LINT_FAILED');
    expect(bad.body.details.problems.length).toBeGreaterThanOrEqual(2);
    const good = await env.api('POST', `/api/v1/channels/${channelId}/templates`, {
      name: 'shipping_notice',
      language: 'en_US',
      category: 'UTILITY',
      components: { body: { text: 'Hi {{1}}, your parcel {{2}} is on its way.', examples: ['Maria', 'JNE123'] } },
    });
    expect(good.status, JSON.stringify(good.body)).toBe(201);
    expect(good.body.status).toBe('PENDING');
    const approved = await eventually(async () => {
      const list = await env.api('GET', `/api/v1/channels/${channelId}/templates`);
      return list.body.items.find((t: { name: string; status: string }) => t.name === 'shipping_notice' && t.status === 'APPROVED');
    }, 30_000, 'the approval webhook');
    expect(approved.variables.body).toEqual(['1', '2']);
  });

  it("uploads a media header's sample through Meta's resumable upload, and submits the template naming its handle", async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    const uploadSample = async (bytes: Buffer, type: string, name: string) => {
      const form = new FormData();
      form.set('file', new Blob([new Uint8Array(bytes)], { type }), name);
      const response = await fetch(`${env.url}/api/v1/channels/${channelId}/templates/header-samples`, { method: 'POST', headers: { authorization: `Bearer ${await env.adminToken()}` }, body: form });
      return { status: response.status, body: (await response.json()) as { handle?: string; code?: string; message?: string } };
    };
    // The upload API lives on the Meta app: without its id the admin is told what to add.
    const noApp = await uploadSample(png, 'image/png', 'shoe.png');
    expect(noApp).toMatchObject({ status: 422, body: { code: 'CHANNEL_CONFIG_INVALID' } });
    expect(noApp.body.message).toContain('App ID');
    expect((await env.api('PATCH', `/api/v1/channels/${channelId}`, { config: { appId: sim.config.appId } })).status).toBe(200);

    expect(await uploadSample(Buffer.from('GIF89a'), 'image/gif', 'shoe.gif')).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    const uploaded = await uploadSample(png, 'image/png', 'shoe.png');
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    expect(sim.uploadedFile(uploaded.body.handle!)?.bytes.equals(png)).toBe(true);

    const created = await env.api('POST', `/api/v1/channels/${channelId}/templates`, {
      name: 'new_collection',
      language: 'en_US',
      category: 'MARKETING',
      components: { header: { format: 'IMAGE', exampleUrl: uploaded.body.handle }, body: { text: 'Hi {{1}}, our new collection has arrived in store.', examples: ['Maria'] } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await eventually(async () => {
      const list = await env.api('GET', `/api/v1/channels/${channelId}/templates`);
      return list.body.items.find((t: { name: string; status: string }) => t.name === 'new_collection' && t.status === 'APPROVED');
    }, 30_000, 'the approval of the image-header template');
  });

  it("shows the customer an agent's typing once per 20 s while the window is open, and never after it closed", async () => {
    const phone = '+6281300000007';
    const wroteAt = clock.now();
    const wamid = sim.customers.send(phone, 'Halo, paket saya belum datang', { name: 'Dewi' });
    const conversation = await conversationFor(phone);
    await eventually(async () => (await messages(conversation.id)).some((m) => m.externalId === wamid), 30_000, 'the inbound message');
    const typing = async () => (await env.api('POST', `/api/v1/conversations/${conversation.id}/typing`)).body;
    const indicators = () => sim.typingIndicators.filter((t) => t.waId === phone.slice(1));

    // Every keystroke of the composer calls the endpoint; the customer gets one indicator.
    expect(await typing()).toEqual({ sent: true });
    expect(await typing()).toEqual({ sent: false, reason: 'throttled' });
    expect(await typing()).toEqual({ sent: false, reason: 'throttled' });
    expect(indicators()).toEqual([{ waId: phone.slice(1), messageId: wamid, at: clock.now() }]);
    expect(sim.isTyping(phone)).toBe(true);

    clock.set(new Date(wroteAt.getTime() + 20_000));
    expect(await typing()).toEqual({ sent: true });
    expect(indicators()).toHaveLength(2);

    clock.set(new Date(wroteAt.getTime() + 24 * HOUR + 1000));
    expect(await typing()).toEqual({ sent: false, reason: 'window_closed' });
    expect(indicators()).toHaveLength(2);
    expect((await env.api('POST', '/api/v1/conversations/00000000-0000-0000-0000-000000000000/typing')).status).toBe(404);
  });

  it('deletes one language of a template by its hsm_id, or every language of a name, and says which', async () => {
    const list = async () => (await env.api('GET', `/api/v1/channels/${channelId}/templates`)).body.items as { id: string; name: string; language: string }[];
    const indonesian = (await list()).find((t) => t.name === 'order_update' && t.language === 'id')!;
    const one = await env.api('DELETE', `/api/v1/channels/${channelId}/templates/${indonesian.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ scope: 'language', name: 'order_update', deleted: [{ id: indonesian.id, language: 'id' }] });
    expect(sim.templates().filter((t) => t.name === 'order_update').map((t) => t.language)).toEqual(['en_US']);
    expect((await list()).filter((t) => t.name === 'order_update').map((t) => t.language)).toEqual(['en_US']);

    const created = await env.api('POST', `/api/v1/channels/${channelId}/templates`, {
      name: 'pickup_ready',
      language: 'id',
      category: 'UTILITY',
      components: { body: { text: 'Halo {{1}}, pesanan Anda siap diambil.', examples: ['Maria'] } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const english = await env.api('POST', `/api/v1/channels/${channelId}/templates`, {
      name: 'pickup_ready',
      language: 'en_US',
      category: 'UTILITY',
      components: { body: { text: 'Hi {{1}}, your order is ready for pickup.', examples: ['Maria'] } },
    });
    expect(english.status, JSON.stringify(english.body)).toBe(201);
    const all = await env.api('DELETE', `/api/v1/channels/${channelId}/templates?name=pickup_ready`);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ scope: 'name', name: 'pickup_ready' });
    expect(all.body.deleted.map((d: { language: string }) => d.language)).toEqual(['en_US', 'id']);
    expect(sim.templates().filter((t) => t.name === 'pickup_ready')).toEqual([]);
    expect((await list()).filter((t) => t.name === 'pickup_ready')).toEqual([]);

    expect((await env.api('DELETE', `/api/v1/channels/${channelId}/templates?name=pickup_ready`)).status).toBe(404);
    const noName = await env.api('DELETE', `/api/v1/channels/${channelId}/templates`);
    expect(noName.status).toBe(400);
    expect(noName.body.code).toBe('VALIDATION_FAILED');
  });
});
