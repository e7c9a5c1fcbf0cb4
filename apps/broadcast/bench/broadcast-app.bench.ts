// `pnpm bench` for the broadcast app: the JavaScript of a first visit, and what a live page of a
// 100,000-recipient broadcast does per `broadcast.progress` event. Figures are printed beside
// their aims and a floor measured in the same run; nothing here asserts a time.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { useBroadcastsStore, useConnectionStore } from '@obrol/client';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { createMemoryHistory, createRouter } from 'vue-router';
import { fakeServer } from '../src/features/test-server';
import LivePage from '../src/features/live/LivePage.vue';
import { createBroadcastI18n } from '../src/i18n';
import { measureInitialJs } from './initial-js';

// happy-dom has no canvas: the chart is left out of the page's cost (it draws at most once per event, in the browser).
vi.mock('../src/features/live/FunnelChart.vue', () => ({ default: { props: ['labels', 'values', 'total'], template: '<div>{{ values.join(",") }}</div>' } }));

const AIM_INITIAL_GZIP_KB = 150;
const RECIPIENTS = 100_000;
const EVENTS = Number(process.env.OBROL_BENCH_LIVE_EVENTS ?? 2000);
/** One frame at 60 Hz: an event applied and drawn within it keeps the page smooth. */
const AIM_EVENT_MS = 16;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const pad = (v: string | number, n: number) => String(v).padStart(n);

const counters = (done: number) => {
  const failed = Math.floor(done / 100);
  const read = Math.floor(done / 3);
  const delivered = Math.floor(done / 3);
  return { total: RECIPIENTS, pending: RECIPIENTS - done, queued: 0, sent: done - failed - read - delivered, delivered, read, failed, skipped: 0, suppressed: 0, deferred: 0, replies: Math.floor(done / 50) };
};
const frame = (i: number) =>
  JSON.stringify({ eventId: `e${i}`, occurredAt: '2026-11-30T00:00:00.000Z', schemaVersion: 1, tenantId: 't', type: 'broadcast.progress', channelAccountId: 'ch1', data: { broadcastId: 'b1', channelAccountId: 'ch1', name: 'Promo', status: 'running', reason: null, counters: counters(Math.min(RECIPIENTS, (i + 1) * 40)) } });
const view = { id: 'b1', channelAccountId: 'ch1', name: 'Promo', template: { name: 'order_update', language: 'en_US' }, variables: {}, audience: null, defaultCountry: 'ID', messagesPerSecond: 80, status: 'running', reason: null, scheduledAt: null, scheduledLocal: null, timeZone: null, startedAt: '2026-11-30T00:00:00.000Z', finishedAt: null, createdAt: '2026-11-30T00:00:00.000Z', counters: counters(0) };
const recipient = (i: number) => ({ id: `r${String(i).padStart(6, '0')}`, phone: `+62812${String(i).padStart(8, '0')}`, country: 'ID', csvRow: i + 2, contactId: null, status: 'sent', reason: null, errorCode: null, messageId: null, attempts: 1, nextAttemptAt: null, updatedAt: '2026-11-30T00:00:00.000Z' });

function server() {
  return fakeServer({
    'GET /api/v1/broadcasts/b1': () => view,
    // A page of the table: the page scrolls through 100,000 recipients 200 at a time.
    'GET /api/v1/broadcasts/b1/recipients': () => ({ items: Array.from({ length: 200 }, (_, i) => recipient(i)), nextCursor: 'more' }),
    'GET /api/v1/broadcasts/b1/failures': () => ({ items: [{ errorCode: '131026', reason: 'Message undeliverable.', count: 120 }] }),
  });
}

/** Milliseconds per event for `run` over every frame. */
async function perEvent(run: (data: string) => void | Promise<void>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < EVENTS; i += 1) await run(frame(i));
  return (performance.now() - started) / EVENTS;
}

describe('broadcast app', () => {
  it('reports its initial JavaScript, and the live page\'s cost per progress event with 100,000 recipients', async () => {
    const dist = path.resolve(import.meta.dirname, '../dist');
    const js = measureInitialJs(dist);
    const lines = [`Broadcast app, built (${dist})`, '', '1. JavaScript of a first visit (index.html\'s module script and its static imports), gzip'];
    for (const c of js.chunks) lines.push(`   ${c.file.padEnd(40)}${pad(kb(c.bytes), 11)} raw${pad(kb(c.gzipBytes), 11)} gzip`);
    lines.push(`   ${'initial total'.padEnd(40)}${pad(kb(js.gzipBytes), 26)} gzip   aim < ${AIM_INITIAL_GZIP_KB} KB`);
    lines.push(`   chart in the initial JavaScript: ${js.chartInitial ? 'yes' : 'no'} (aim: no)`);
    for (const c of js.lazy) lines.push(`   loaded on demand: ${c.file.padEnd(34)}${pad(kb(c.gzipBytes), 11)} gzip${c.hasChart ? '   (the chart: live page only)' : ''}`);

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      // Floor: the same frames parsed and applied to the store, with no page drawing them.
      const bare = server();
      useConnectionStore(bare.pinia).realtime.connect();
      const store = useBroadcastsStore(bare.pinia);
      store.remember(structuredClone(view) as never);
      const floorMs = await perEvent((data) => void store.apply(JSON.parse(data)));

      const fake = server();
      useConnectionStore(fake.pinia).realtime.connect();
      const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', name: 'broadcasts', component: { template: '<div/>' } }, { path: '/b/:id/edit/:step', name: 'edit', component: { template: '<div/>' } }] });
      const page = mount(LivePage, { props: { id: 'b1' }, global: { plugins: [fake.pinia, router, createBroadcastI18n('en')] }, attachTo: document.body });
      await flushPromises();
      const before = fake.calls.length;
      // Each event is applied and the page drawn before the next, the worst case (the server sends at most two a second).
      const pageMs = await perEvent(async (data) => {
        fake.socket.onmessage!({ data });
        await nextTick();
      });
      const during = fake.calls.slice(before);
      // The throttled refreshes that follow the burst: one page of rows and one failure summary, not the audience.
      await vi.advanceTimersByTimeAsync(3500);
      await flushPromises();
      const after = fake.calls.slice(before + during.length);
      const shown = page.find('[data-testid="live-progress"]').text();
      page.unmount();

      lines.push('', `2. Live page of a ${RECIPIENTS.toLocaleString('en-US')}-recipient broadcast: ${EVENTS} broadcast.progress events, each applied and drawn (happy-dom)`);
      lines.push(`   ${'per event, page updated'.padEnd(40)}${pad(pageMs.toFixed(3), 10)} ms   aim < ${AIM_EVENT_MS} ms (one frame)`);
      lines.push(`   ${'floor: parsed + stored, no page'.padEnd(40)}${pad(floorMs.toFixed(3), 10)} ms`);
      lines.push(`   requests during the ${EVENTS} events: ${during.length} (aim: 0, no refetch per event)`);
      lines.push(`   requests after the burst (throttled refresh): ${after.map((c) => c.path.replace('/api/v1/broadcasts/b1', '…')).join(', ') || 'none'}`);
      lines.push(`   the page shows: ${shown}`);
    } finally {
      vi.useRealTimers();
    }
    console.log(lines.join('\n'));
  });
});
