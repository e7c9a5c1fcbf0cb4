import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RealtimeClient, type SocketLike, realtimeUrl } from './realtime-client.js';

class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  sent: string[] = [];
  closed = false;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  receive(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

describe('RealtimeClient', () => {
  let sockets: FakeSocket[];
  let client: RealtimeClient;
  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    client = new RealtimeClient({
      url: 'ws://host/api/v1/realtime',
      getToken: () => 'tok',
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      initialDelayMs: 1000,
      maxDelayMs: 8000,
      jitter: 0,
    });
  });
  afterEach(() => vi.useRealTimers());

  it('connects with the token and passes live events on, not hello nor frames that are not live events', () => {
    const events: string[] = [];
    client.onEvent((e) => events.push(e.type));
    client.connect();
    expect(sockets[0]!.url).toBe('ws://host/api/v1/realtime?token=tok');
    sockets[0]!.open();
    sockets[0]!.receive({ type: 'hello' });
    sockets[0]!.receive({ type: 'message.created', channelAccountId: 'ch', data: {} });
    sockets[0]!.receive({ type: 'conversation.updated', channelAccountId: 'ch', conversationId: 'c', data: { conversation: { id: 'c' } } });
    sockets[0]!.onmessage?.({ data: 'not json' });
    expect(events).toEqual(['conversation.updated']);
    expect(client.status).toBe('open');
  });

  it('reconnects with exponential backoff and signals reconnected once back', () => {
    const reconnected = vi.fn();
    const statuses: string[] = [];
    client.onReconnected(reconnected);
    client.onStatus((s) => statuses.push(s));
    client.connect();
    sockets[0]!.open();
    sockets[0]!.drop();
    expect(client.status).toBe('reconnecting');
    vi.advanceTimersByTime(999);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    sockets[1]!.drop();
    vi.advanceTimersByTime(1999);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    expect(reconnected).not.toHaveBeenCalled();
    sockets[2]!.open();
    expect(reconnected).toHaveBeenCalledOnce();
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    // After a successful open, the backoff starts again from the first delay.
    sockets[2]!.drop();
    vi.advanceTimersByTime(1000);
    expect(sockets).toHaveLength(4);
  });

  it('caps the delay and does not signal reconnected for the first connection', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => client.delayFor(n))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    const reconnected = vi.fn();
    client.onReconnected(reconnected);
    client.connect();
    sockets[0]!.drop();
    vi.advanceTimersByTime(1000);
    sockets[1]!.open();
    expect(reconnected).not.toHaveBeenCalled();
  });

  it('stops on disconnect and when the server ends the session', () => {
    client.connect();
    sockets[0]!.open();
    client.disconnect();
    expect(sockets[0]!.closed).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    client.connect();
    sockets[1]!.open();
    sockets[1]!.drop(4401);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(2);
    expect(client.status).toBe('closed');
  });

  it('derives the socket URL from the page or API origin', () => {
    expect(realtimeUrl({ protocol: 'https:', host: 'obrol.example' })).toBe('wss://obrol.example/api/v1/realtime');
    expect(realtimeUrl('http://127.0.0.1:3000')).toBe('ws://127.0.0.1:3000/api/v1/realtime');
  });
});
