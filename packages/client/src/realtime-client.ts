import { readLiveEvent } from '@obrol/contracts';
import type { LiveEventFrame } from './views.js';

/** The part of the browser's WebSocket the client uses (a fake one in tests). */
export interface SocketLike {
  readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type RealtimeStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface RealtimeClientOptions {
  /** Full `ws(s)://…/api/v1/realtime` URL, without the token. */
  url: string;
  getToken: () => string | null;
  /** Injected for tests; defaults to the global WebSocket. */
  createSocket?: (url: string) => SocketLike;
  /** First retry delay; doubles each failed attempt up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** 0..1 share of the delay randomised, so many tabs do not reconnect in step. */
  jitter?: number;
  random?: () => number;
}

type Listener<T> = (value: T) => void;

/**
 * The realtime socket: connects with the session token, reconnects with exponential backoff,
 * and signals `reconnected` after a reconnect. Live events are losable, so whoever keeps
 * state refetches on that signal.
 */
export class RealtimeClient {
  private socket: SocketLike | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private wasOpen = false;
  private wanted = false;
  private readonly eventListeners = new Set<Listener<LiveEventFrame>>();
  private readonly reconnectedListeners = new Set<Listener<void>>();
  private readonly statusListeners = new Set<Listener<RealtimeStatus>>();
  private currentStatus: RealtimeStatus = 'idle';
  private viewing: string | null = null;

  constructor(private readonly options: RealtimeClientOptions) {}

  get status(): RealtimeStatus {
    return this.currentStatus;
  }

  /** Live events (`message.created`, `conversation.updated`…); returns an unsubscribe. */
  onEvent(listener: Listener<LiveEventFrame>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Called after the socket came back following a drop: refetch, events were lost. */
  onReconnected(listener: Listener<void>): () => void {
    this.reconnectedListeners.add(listener);
    return () => this.reconnectedListeners.delete(listener);
  }

  onStatus(listener: Listener<RealtimeStatus>): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Tells the other agents what this agent does in a conversation (collision detection):
   * `viewing` when it opens, `typing` while a reply is written, `left` when it closes. The
   * conversation being viewed is announced again after a reconnect. Dropped while offline.
   */
  announce(conversationId: string, state: 'viewing' | 'typing' | 'left'): void {
    if (state === 'left') {
      if (this.viewing !== conversationId) return;
      this.viewing = null;
    } else this.viewing = conversationId;
    this.sendFrame({ type: 'activity', conversationId, state });
  }

  private sendFrame(frame: unknown): void {
    // 1: WebSocket.OPEN
    if (this.socket?.readyState === 1) this.socket.send(JSON.stringify(frame));
  }

  connect(): void {
    this.wanted = true;
    if (this.socket || this.timer) return;
    this.open();
  }

  /** Closes for good (logout); no reconnect. */
  disconnect(): void {
    this.wanted = false;
    this.wasOpen = false;
    this.attempt = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close(1000, 'client closed');
    }
    this.setStatus('closed');
  }

  /** The delay before retry number `attempt` (1-based). */
  delayFor(attempt: number): number {
    const initial = this.options.initialDelayMs ?? 1000;
    const max = this.options.maxDelayMs ?? 30_000;
    const base = Math.min(max, initial * 2 ** (attempt - 1));
    const jitter = this.options.jitter ?? 0.2;
    return Math.round(base * (1 - jitter + jitter * (this.options.random ?? Math.random)()));
  }

  private open(): void {
    const token = this.options.getToken();
    if (!token) {
      this.setStatus('closed');
      return;
    }
    this.setStatus(this.wasOpen || this.attempt > 0 ? 'reconnecting' : 'connecting');
    const url = `${this.options.url}${this.options.url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
    const create = this.options.createSocket ?? ((u: string) => new WebSocket(u) as unknown as SocketLike);
    const socket = create(url);
    this.socket = socket;
    socket.onopen = () => {
      const reconnected = this.wasOpen;
      this.attempt = 0;
      this.wasOpen = true;
      this.setStatus('open');
      if (this.viewing) this.sendFrame({ type: 'activity', conversationId: this.viewing, state: 'viewing' });
      if (reconnected) for (const l of this.reconnectedListeners) l();
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onerror = () => undefined;
    socket.onclose = (event) => {
      this.socket = null;
      // 4401: the server ended the session; retrying with the same token cannot help.
      if (!this.wanted || event.code === 4401) {
        this.setStatus('closed');
        return;
      }
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    this.attempt += 1;
    this.setStatus('reconnecting');
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.wanted) this.open();
    }, this.delayFor(this.attempt));
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    const event = readLiveEvent(frame);
    if (!event) return;
    for (const l of this.eventListeners) l(event);
  }

  private setStatus(status: RealtimeStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    for (const l of this.statusListeners) l(status);
  }
}

/** `ws(s)://<host>/api/v1/realtime` for a page served from `location` (or an API base URL). */
export function realtimeUrl(base: string | { protocol: string; host: string }): string {
  const url = typeof base === 'string' ? new URL(base) : new URL(`${base.protocol}//${base.host}`);
  const protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}/api/v1/realtime`;
}
