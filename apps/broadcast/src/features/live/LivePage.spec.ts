import { useConnectionStore } from '@obrol/client';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { createBroadcastI18n } from '../../i18n';
import { fakeServer } from '../test-server';
import LivePage from './LivePage.vue';

// The chart draws on a canvas, which happy-dom lacks; its numbers are asserted beside it.
vi.mock('./FunnelChart.vue', () => ({ default: { props: ['labels', 'values', 'total'], template: '<div data-testid="chart">{{ values.join(",") }}</div>' } }));

const counters = (patch: Record<string, number>) => ({ total: 1000, pending: 0, queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0, suppressed: 0, deferred: 0, replies: 0, ...patch });
const broadcast = (status: string, c: Record<string, number>) => ({ id: 'b1', channelAccountId: 'ch1', name: 'Promo', template: { name: 'order_update', language: 'en_US' }, variables: {}, audience: null, defaultCountry: 'ID', messagesPerSecond: 20, status, reason: null, scheduledAt: null, scheduledLocal: null, timeZone: null, startedAt: '2026-11-01T00:00:00.000Z', finishedAt: null, createdAt: '2026-11-01T00:00:00.000Z', counters: counters(c) });
const recipient = (i: number) => ({ id: `r${i}`, phone: `+62812000${String(i).padStart(5, '0')}`, country: 'ID', csvRow: i + 2, contactId: null, status: 'sent', reason: null, errorCode: null, messageId: null, attempts: 1, nextAttemptAt: null, updatedAt: '2026-11-01T00:00:00.000Z' });

let failures: { errorCode: string | null; code: string | null; reason: string | null; count: number }[] = [];

function setup(locale: 'en' | 'id' = 'en', initial: Record<string, number> = { pending: 600, sent: 300, delivered: 80, read: 20 }, patch: Record<string, unknown> = {}) {
  let state = { ...broadcast('running', initial), ...patch };
  const fake = fakeServer({
    'GET /api/v1/broadcasts/b1': () => state,
    'GET /api/v1/broadcasts/b1/recipients': (_b, q) => ({ items: Array.from({ length: q.get('status') ? 1 : 200 }, (_, i) => recipient(i)), nextCursor: null }),
    'GET /api/v1/broadcasts/b1/failures': () => ({ items: failures }),
    'POST /api/v1/broadcasts/b1/pause': () => (state = { ...state, status: 'paused' }),
    'POST /api/v1/broadcasts/b1/resume': () => (state = { ...state, status: 'running' }),
  });
  useConnectionStore(fake.pinia).realtime.connect();
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', name: 'broadcasts', component: { template: '<div/>' } }, { path: '/b/:id/edit/:step', name: 'edit', component: { template: '<div/>' } }] });
  const w = mount(LivePage, { props: { id: 'b1' }, global: { plugins: [fake.pinia, router, createBroadcastI18n(locale)] }, attachTo: document.body });
  const push = (c: Record<string, number>, status = 'running', planning: { planned: number; of: number } | null = null) =>
    fake.socket.onmessage!({ data: JSON.stringify({ eventId: 'e', occurredAt: '2026-11-01T00:00:00.000Z', schemaVersion: 1, tenantId: 't', type: 'broadcast.progress', channelAccountId: 'ch1', data: { broadcastId: 'b1', channelAccountId: 'ch1', name: 'Promo', status, reason: null, counters: counters(c), planning } }) });
  return { w, fake, push };
}

describe('LivePage', () => {
  it('shows progress and the cumulative funnel, and follows live events without refetching', async () => {
    const { w, fake, push } = setup();
    await flushPromises();
    expect(w.find('[data-testid="live-progress"]').text()).toBe('400 of 1,000 handled (40%)');
    expect(w.find('[data-testid="chart"]').text()).toBe('400,100,20,0');
    const gets = fake.calls.filter((c) => c.path === '/api/v1/broadcasts/b1').length;

    push({ pending: 0, sent: 100, delivered: 500, read: 390, failed: 10 });
    await flushPromises();
    expect(w.find('[data-testid="live-progress"]').text()).toBe('1,000 of 1,000 handled (100%)');
    expect(w.find('[data-testid="funnel-sent"]').text()).toBe('990');
    expect(w.find('[data-testid="funnel-delivered"]').text()).toBe('890');
    expect(w.find('[data-testid="funnel-read"]').text()).toBe('390');
    expect(w.find('[data-testid="funnel-failed"]').text()).toBe('10');
    expect(fake.calls.filter((c) => c.path === '/api/v1/broadcasts/b1')).toHaveLength(gets);
  });

  it('shows replies, and the failures the server grouped, asked again only when the failed counter moves', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      failures = [];
      const { w, fake, push } = setup();
      await flushPromises();
      expect(w.find('[data-testid="live-replies"]').text()).toBe('Replies received: 0');
      push({ pending: 600, sent: 300, delivered: 80, read: 20, replies: 7, suppressed: 3 });
      await flushPromises();
      expect(w.find('[data-testid="live-replies"]').text()).toBe('Replies received: 7');
      expect(w.find('[data-testid="live-suppressed"]').text()).toBe('Opted out: 3');
      await vi.advanceTimersByTimeAsync(1500);
      const asked = () => fake.calls.filter((c) => c.path === '/api/v1/broadcasts/b1/failures').length;
      expect(asked()).toBe(0);

      failures = [{ errorCode: '131026', code: 'RECIPIENT_UNDELIVERABLE', reason: 'Message undeliverable', count: 12 }, { errorCode: '131049', code: 'MARKETING_LIMIT_REACHED', reason: 'Marketing limit', count: 3 }];
      push({ pending: 585, sent: 300, delivered: 80, read: 20, failed: 15 });
      push({ pending: 585, sent: 290, delivered: 90, read: 20, failed: 15 });
      await vi.advanceTimersByTimeAsync(1500);
      await flushPromises();
      expect(asked()).toBe(1);
      const en = createBroadcastI18n('en').global;
      expect(w.findAll('[data-testid="live-failure"]').map((r) => r.text())).toEqual([
        `${en.t('errors.RECIPIENT_UNDELIVERABLE')}Message undeliverable13102612`,
        `${en.t('errors.MARKETING_LIMIT_REACHED')}Marketing limit1310493`,
      ]);
      expect(fake.calls.some((c) => c.path === '/api/v1/broadcasts/b1/recipients' && c.query.get('status') === 'failed')).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('words the failures in the reader’s language by Obrol’s code, with Meta’s own sentence beside it, and counts in it', async () => {
    failures = [
      { errorCode: '131026', code: 'RECIPIENT_UNDELIVERABLE', reason: 'Message undeliverable.', count: 1200 },
      { errorCode: '999999', code: null, reason: 'Something new at Meta.', count: 1 },
    ];
    const { w } = setup('id', { pending: 600, sent: 300, delivered: 80, read: 20, failed: 1201 });
    await flushPromises();
    const id = createBroadcastI18n('id').global;
    expect(w.findAll('[data-testid="live-failure-headline"]').map((h) => h.text())).toEqual([id.t('errors.RECIPIENT_UNDELIVERABLE'), id.t('errors.UNKNOWN')]);
    expect(id.t('errors.RECIPIENT_UNDELIVERABLE')).not.toBe(createBroadcastI18n('en').global.t('errors.RECIPIENT_UNDELIVERABLE'));
    expect(w.findAll('[data-testid="live-failure-detail"]').map((d) => d.text())).toEqual(['Message undeliverable.', 'Something new at Meta.']);
    // Numbers in the page's language, whatever the browser's.
    expect(w.findAll('[data-testid="live-failure-count"]').map((c) => c.text())).toEqual(['1.200', '1']);
    w.unmount();
  });

  it('says a broadcast a worker is starting (a large audience) is starting, not scheduled, until it runs', async () => {
    const { w, push } = setup('en', { total: 0 }, { status: 'scheduled', scheduledAt: '2026-11-01T00:00:00.000Z', startedAt: null });
    await flushPromises();
    expect(w.find('[data-testid="live-starting"]').text()).toBe('Starting: the recipients are being prepared (each one checked and given their values). Sending begins by itself in a moment.');
    expect(w.find('[data-testid="live-scheduled"]').exists()).toBe(false);
    expect(w.find('[data-testid="live-status"]').text()).toBe('Starting');
    // Counted at start: not "0 of 0 handled".
    expect(w.find('[data-testid="live-progress"]').text()).toBe('The recipients are counted when it starts.');
    // Only a running broadcast can be paused (the server refuses a scheduled one); a scheduled one can be cancelled.
    expect(w.find('[data-testid="live-pause"]').exists()).toBe(false);
    expect(w.find('[data-testid="live-cancel"]').exists()).toBe(true);
    // The worker says how far its plan got.
    push({ total: 0 }, 'scheduled', { planned: 120_000, of: 1_000_000 });
    await flushPromises();
    expect(w.find('[data-testid="live-progress"]').text()).toBe('120,000 of 1,000,000 recipients prepared (12%)');
    expect(w.find('[role="progressbar"]').attributes('aria-valuenow')).toBe('12');
    expect(w.find('[data-testid="live-starting"]').exists()).toBe(true);
    expect(w.find('[data-testid="live-status"]').text()).toBe('Starting');
    push({ pending: 1000 }, 'running');
    await flushPromises();
    expect(w.find('[data-testid="live-starting"]').exists()).toBe(false);
    expect(w.find('[data-testid="live-status"]').text()).toBe('Sending');
    expect(w.find('[data-testid="live-progress"]').text()).toBe('0 of 1,000 handled (0%)');
    expect(w.find('[data-testid="live-pause"]').exists()).toBe(true);
  });

  it('turns the draft it shows into a starting broadcast when someone starts it, and follows how far the plan got', async () => {
    const { w, fake, push } = setup('en', { total: 0 }, { status: 'draft', startedAt: null });
    await flushPromises();
    expect(w.find('[data-testid="live-status"]').text()).toBe('Draft');
    // Started elsewhere: the event says scheduled; when it is due is read once, with the change of status.
    fake.routes['GET /api/v1/broadcasts/b1'] = () => ({ ...broadcast('scheduled', { total: 0 }), scheduledAt: '2026-11-01T00:00:00.000Z', startedAt: null });
    push({ total: 0 }, 'scheduled');
    await flushPromises();
    expect(w.find('[data-testid="live-status"]').text()).toBe('Starting');
    expect(w.find('[data-testid="live-scheduled"]').exists()).toBe(false);
    push({ total: 0 }, 'scheduled', { planned: 5_000, of: 300_000 });
    await flushPromises();
    expect(w.find('[data-testid="live-progress"]').text()).toBe('5,000 of 300,000 recipients prepared (1%)');
    const gets = fake.calls.filter((c) => c.path === '/api/v1/broadcasts/b1').length;
    push({ total: 0 }, 'scheduled', { planned: 10_000, of: 300_000 });
    await flushPromises();
    expect(w.find('[data-testid="live-progress"]').text()).toBe('10,000 of 300,000 recipients prepared (3%)');
    // Progress alone is read from the event, not asked again.
    expect(fake.calls.filter((c) => c.path === '/api/v1/broadcasts/b1')).toHaveLength(gets);
    w.unmount();
  });

  it('says when a broadcast scheduled for a local time starts, in its time zone', async () => {
    const { w } = setup('en', { pending: 1000 }, { status: 'scheduled', scheduledAt: '2026-12-01T02:00:00.000Z', scheduledLocal: '2026-12-01T09:00:00', timeZone: 'Asia/Jakarta', startedAt: null });
    await flushPromises();
    expect(w.find('[data-testid="live-scheduled"]').text()).toBe('Scheduled for 2026-12-01 09:00:00 (Asia/Jakarta)');
    expect(w.find('[data-testid="live-starting"]').exists()).toBe(false);
  });

  it('opens another broadcast when its id changes while the page shows', async () => {
    const { w, fake } = setup();
    await flushPromises();
    fake.routes['GET /api/v1/broadcasts/b2'] = () => ({ ...broadcast('completed', { pending: 0, read: 1000 }), id: 'b2', name: 'Second' });
    fake.routes['GET /api/v1/broadcasts/b2/recipients'] = () => ({ items: [recipient(1)], nextCursor: null });
    await w.setProps({ id: 'b2' });
    await flushPromises();
    expect(w.find('h1').text()).toContain('Second');
    expect(w.find('[data-testid="live-progress"]').text()).toBe('1,000 of 1,000 handled (100%)');
  });

  it('pauses and resumes with the buttons that fit the state', async () => {
    const { w, fake } = setup();
    await flushPromises();
    expect(w.find('[data-testid="live-resume"]').exists()).toBe(false);
    await w.find('[data-testid="live-pause"]').trigger('click');
    await flushPromises();
    expect(fake.calls.some((c) => c.method === 'POST' && c.path === '/api/v1/broadcasts/b1/pause')).toBe(true);
    expect(w.find('[data-testid="live-status"]').text()).toBe('Paused');
    await w.find('[data-testid="live-resume"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="live-status"]').text()).toBe('Sending');
  });

  it('says that a restriction paused it until it ends, and that it then went on by itself', async () => {
    const until = '2026-11-01T06:00:00.000Z';
    const restricted = { reason: `Paused automatically: WhatsApp restricted this number from starting conversations until ${until}. …`, reasonCode: 'PAUSED_RESTRICTED', reasonParams: { until } };
    const { w, fake } = setup('id', { pending: 600, sent: 400 }, { status: 'paused', ...restricted });
    await flushPromises();
    expect(w.find('[data-testid="live-paused-reason"]').text()).toMatch(/^Dijeda otomatis: WhatsApp membatasi nomor ini .* Siaran berlanjut sendiri begitu pembatasan berakhir\.$/);
    expect(w.find('[data-testid="live-resumed-reason"]').exists()).toBe(false);
    const resumed = { status: 'running', reason: 'Resumed automatically: WhatsApp lifted the restriction on starting conversations.', reasonCode: 'RESUMED_AFTER_RESTRICTION', reasonParams: { end: 'lifted' } };
    fake.socket.onmessage!({ data: JSON.stringify({ eventId: 'e', occurredAt: until, schemaVersion: 1, tenantId: 't', type: 'broadcast.progress', channelAccountId: 'ch1', data: { broadcastId: 'b1', channelAccountId: 'ch1', name: 'Promo', ...resumed, counters: counters({ pending: 500, sent: 500 }), planning: null } }) });
    await flushPromises();
    expect(w.find('[data-testid="live-paused-reason"]').exists()).toBe(false);
    expect(w.find('[data-testid="live-resumed-reason"]').text()).toBe('Dilanjutkan otomatis: WhatsApp mencabut pembatasan memulai percakapan.');
    expect(w.find('[data-testid="live-status"]').text()).toBe('Mengirim');
  });
});
