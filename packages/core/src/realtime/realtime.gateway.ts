import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { type LiveEvent, ObrolError } from '@obrol/contracts';
import { WebSocket, WebSocketServer } from 'ws';
import { AuthService } from '../auth/auth.service.js';
import { bearerToken } from '../auth/auth.guard.js';
import { type Principal, assertScope, canSeeInbox } from '../auth/principal.js';
import type { EventBus, Subscription } from '../bus/event-bus.js';

export const REALTIME_PATH = '/api/v1/realtime';
const HEARTBEAT_MS = 30_000;
const REAUTH_MS = 60_000;

interface Client {
  socket: WebSocket;
  token: string;
  principal: Principal;
  alive: boolean;
}

/**
 * The WebSocket at `/api/v1/realtime`. Authenticated with the same bearer token (header, or
 * `?token=` for browsers); pushes live events of the inboxes the agent may see. Live events are
 * losable: clients refetch after a reconnect.
 */
@Injectable()
export class RealtimeGateway {
  private readonly logger = new Logger('RealtimeGateway');
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly clients = new Set<Client>();
  private subscription: Subscription | null = null;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly auth: AuthService) {}

  attach(server: Server, bus: EventBus): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname !== REALTIME_PATH) return;
      void this.upgrade(request, socket, head, url);
    });
    this.subscription = bus.subscribeLive('live.>', (_subject, data) => this.dispatch(data as LiveEvent));
    this.timers.push(setInterval(() => this.heartbeat(), HEARTBEAT_MS).unref(), setInterval(() => void this.reauthenticate(), REAUTH_MS).unref());
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const token = bearerToken(request.headers.authorization) ?? url.searchParams.get('token') ?? undefined;
    let principal: Principal;
    try {
      principal = await this.auth.authenticate(token);
      // The socket only reads: a send-only API key may not open it.
      assertScope(principal, 'read');
    } catch (error) {
      const known = error instanceof ObrolError ? error : new ObrolError('UNAUTHENTICATED', 'unauthenticated');
      const status = known.statusCode === 403 ? '403 Forbidden' : '401 Unauthorized';
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ statusCode: known.statusCode, code: known.code, message: known.message })}`);
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const client: Client = { socket: ws, token: token!, principal, alive: true };
      this.clients.add(client);
      ws.on('pong', () => (client.alive = true));
      ws.on('close', () => this.clients.delete(client));
      ws.on('error', () => this.clients.delete(client));
      ws.on('message', (raw) => {
        if (raw.toString() === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
      });
      ws.send(JSON.stringify({ type: 'hello', principal: principal.kind === 'agent' ? { kind: 'agent', agentId: principal.agentId } : { kind: 'api-key' } }));
    });
  }

  private dispatch(event: LiveEvent): void {
    if (!event || typeof event !== 'object') return;
    const frame = JSON.stringify(event);
    for (const client of this.clients) {
      if (client.principal.tenantSlug !== event.tenantId) continue;
      if (event.channelAccountId && !canSeeInbox(client.principal, event.channelAccountId)) continue;
      if (client.socket.readyState === WebSocket.OPEN) client.socket.send(frame);
    }
  }

  private heartbeat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.socket.terminate();
        this.clients.delete(client);
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  /** Inbox membership and session validity can change: refresh them, close revoked sessions. */
  private async reauthenticate(): Promise<void> {
    for (const client of this.clients) {
      try {
        client.principal = await this.auth.authenticate(client.token);
        assertScope(client.principal, 'read');
      } catch {
        client.socket.close(4401, 'session ended');
        this.clients.delete(client);
      }
    }
  }

  /** How many sockets are connected (for readiness and tests). */
  get connections(): number {
    return this.clients.size;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.subscription?.close();
    for (const client of this.clients) client.socket.close(1001, 'server shutting down');
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
