import { useBroadcastsStore } from '@obrol/client';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { createBroadcastI18n } from '../../i18n';
import { fakeServer } from '../test-server';
import BroadcastsPage from './BroadcastsPage.vue';

const counters = (patch: Record<string, number>) => ({ total: 0, pending: 0, queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0, suppressed: 0, deferred: 0, replies: 0, ...patch });
const view = (id: string, patch: Record<string, unknown>) => ({
  id, channelAccountId: 'ch1', name: `Broadcast ${id}`, template: { name: 'order_update', language: 'en_US' }, variables: {}, audience: null, defaultCountry: 'ID', messagesPerSecond: 80,
  status: 'draft', reason: null, reasonCode: null, reasonParams: null, scheduledAt: null, scheduledLocal: null, timeZone: null, startedAt: null, finishedAt: null, createdAt: '2026-11-01T00:00:00.000Z', counters: counters({}), ...patch,
});

function setup() {
  const fake = fakeServer({
    'GET /api/v1/broadcasts': () => ({
      items: [
        // Started with a large audience: a worker plans it (ADR 0033).
        view('starting', { status: 'scheduled', scheduledAt: '2026-11-30T10:00:00.000Z' }),
        view('later', { status: 'scheduled', scheduledAt: '2026-12-01T02:00:00.000Z', scheduledLocal: '2026-12-01T09:00:00', timeZone: 'Asia/Jakarta' }),
        view('running', { status: 'running', startedAt: '2026-11-30T09:00:00.000Z', counters: counters({ total: 2000, pending: 1500, sent: 500 }) }),
      ],
      nextCursor: null,
    }),
  });
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', name: 'broadcasts', component: { template: '<div/>' } }, { path: '/b/:id', name: 'live', component: { template: '<div/>' } }, { path: '/b/:id/edit/:step', name: 'edit', component: { template: '<div/>' } }, { path: '/new', name: 'new', component: { template: '<div/>' } }] });
  const w = mount(BroadcastsPage, { global: { plugins: [fake.pinia, router, createBroadcastI18n('en')] } });
  const store = useBroadcastsStore(fake.pinia);
  return Object.assign(w, { store });
}

describe('BroadcastsPage', () => {
  it('tells a broadcast a worker is starting from one scheduled for a time, and counts recipients only once they are', async () => {
    const w = setup();
    await flushPromises();
    const cells = (id: string) => w.find(`[data-testid="list-row-${id}"]`).findAll('td').map((td) => td.text());
    const starting = cells('starting');
    expect(starting[1]).toBe('Starting');
    expect(starting[3]).toBe('—');
    expect(starting[6]).toBe('Starting: preparing the audience');
    const later = cells('later');
    expect(later[1]).toBe('Scheduled');
    expect(later[3]).toBe('—');
    expect(later[6]).toMatch(/^Starts /);
    const running = cells('running');
    expect(running[1]).toBe('Sending');
    expect(running[3]).toBe('2,000');
    // The worker says how far its plan got: the row says it too.
    w.store.apply({
      eventId: 'e', occurredAt: '2026-11-30T10:00:01.000Z', schemaVersion: 1, tenantId: 't', type: 'broadcast.progress', channelAccountId: 'ch1',
      data: { broadcastId: 'starting', channelAccountId: 'ch1', name: 'Broadcast starting', status: 'scheduled', reason: null, counters: counters({}), planning: { planned: 45_000, of: 100_000 } },
    } as Parameters<typeof w.store.apply>[0]);
    await flushPromises();
    expect(cells('starting')[6]).toBe('Starting: preparing the audience (45%)');
  });
});
