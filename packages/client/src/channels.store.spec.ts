import { describe, expect, it } from 'vitest';
import { channelRestriction } from './channel-restriction.js';
import { useChannelsStore } from './channels.store.js';
import { createObrolPinia, useConnectionStore } from './connection.store.js';
import type { SocketLike } from './realtime-client.js';
import { useSessionStore } from './session.store.js';
import type { ChannelAccountView } from './views.js';

const flush = () => new Promise((r) => setTimeout(r, 0));
type FakeSocket = SocketLike & { emit(frame: unknown): void };

const restriction = { businessInitiated: false, customerInitiated: true, until: '2026-11-21T08:00:00.000Z', since: '2026-11-20T08:00:00.000Z', description: 'The number may not answer customers.' };
const channel = (over: Partial<ChannelAccountView> = {}) => ({ id: 'ch1', name: 'WA', restriction: null, ...over }) as ChannelAccountView;

function setup(answers: ChannelAccountView[]) {
  const sockets: FakeSocket[] = [];
  let gets = 0;
  const fetch = (async () => new Response(JSON.stringify(answers[Math.min(gets++, answers.length - 1)]), { status: 200 })) as typeof globalThis.fetch;
  const pinia = createObrolPinia({
    tokenStorage: null,
    fetch,
    realtimeUrl: 'ws://test/api/v1/realtime',
    createSocket: () => {
      const s = { readyState: 1, onopen: null, onmessage: null, onclose: null, onerror: null, close() {}, send() {} } as unknown as FakeSocket;
      s.emit = (frame) => s.onmessage?.({ data: JSON.stringify(frame) });
      sockets.push(s);
      return s;
    },
  });
  useSessionStore(pinia).token = 'tok';
  useConnectionStore(pinia).realtime.connect();
  sockets[0]!.onopen?.({});
  return { store: useChannelsStore(pinia), sockets, gets: () => gets };
}

describe('the channels the app has looked at', () => {
  it('takes a number WhatsApp restricted, or freed again, from the live push, without asking the server', async () => {
    const { store, sockets, gets } = setup([channel()]);
    await store.load('ch1');
    const push = (r: typeof restriction | null) => sockets[0]!.emit({ type: 'channel.updated', channelAccountId: 'ch1', eventId: 'e', occurredAt: '2026-11-20T08:00:00.000Z', schemaVersion: 1, tenantId: 't', data: { channel: channel({ restriction: r }) } });
    push(restriction);
    expect(store.byId.ch1?.restriction).toEqual(restriction);
    push(null);
    expect(store.byId.ch1?.restriction).toBeNull();
    expect(gets()).toBe(1);
  });

  it('reads a number again on demand (a refused send), though it was loaded', async () => {
    const { store, gets } = setup([channel(), channel({ restriction })]);
    await store.load('ch1');
    await store.load('ch1');
    expect(gets()).toBe(1);
    await store.refresh('ch1');
    await flush();
    expect(store.byId.ch1?.restriction).toEqual(restriction);
  });

  it('counts a restriction as over once its end has passed', () => {
    const restricted = channel({ restriction });
    expect(channelRestriction(restricted, new Date('2026-11-21T07:59:59.000Z'))).toEqual(restriction);
    expect(channelRestriction(restricted, new Date('2026-11-21T08:00:00.000Z'))).toBeNull();
    expect(channelRestriction(channel({ restriction: { ...restriction, until: null } }), new Date('2030-01-01T00:00:00.000Z'))?.until).toBeNull();
    expect(channelRestriction(null)).toBeNull();
  });
});
