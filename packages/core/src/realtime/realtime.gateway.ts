import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type Clock, type ConversationActivity, type LiveEvent, ObrolError, liveEvents } from '@obrol/contracts';
import { z } from 'zod';
import { WebSocket, WebSocketServer } from 'ws';
import { AuthService } from '../auth/auth.service.js';
import { bearerToken } from '../auth/auth.guard.js';
import { type Principal, assertScope, canSeeInbox } from '../auth/principal.js';
import type { EventBus, Subscription } from '../bus/event-bus.js';
import { CLOCK } from '../clock/clock.token.js';
import { Agent } from '../agents/agent.entity.js';
import { Conversation } from '../conversations/conversation.entity.js';
import { newId } from '../database/base.entity.js';

export const REALTIME_PATH = '/api/v1/realtime';
const HEARTBEAT_MS = 30_000;
const REAUTH_MS = 60_000;

interface Client {
  socket: WebSocket;
  token: string;
  principal: Principal;
  alive: boolean;
  /** The conversation this agent has open, to announce `left` when the socket closes. */
  viewing: { conversationId: string; channelAccountId: string } | null;
}

/** A frame an agent sends: what they are doing in a conversation (collision detection). */
const activityFrameSchema = z.object({ type: z.literal('activity'), conversationId: z.string().max(36), state: z.enum(['viewing', 'typing', 'left']) });

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

  private bus: EventBus | null = null;

  constructor(
    private readonly auth: AuthService,
    private readonly orm: MikroORM,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  attach(server: Server, bus: EventBus): void {
    this.bus = bus;
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
      const client: Client = { socket: ws, token: token!, principal, alive: true, viewing: null };
      this.clients.add(client);
      const gone = () => {
        this.clients.delete(client);
        if (client.viewing) this.announce(client, client.viewing, 'left');
        client.viewing = null;
      };
      ws.on('pong', () => (client.alive = true));
      ws.on('close', gone);
      ws.on('error', gone);
      ws.on('message', (raw) => {
        const text = raw.toString();
        if (text === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
        else void this.activity(client, text);
      });
      ws.send(JSON.stringify({ type: 'hello', principal: principal.kind === 'agent' ? { kind: 'agent', agentId: principal.agentId } : { kind: 'api-key' } }));
    });
  }

  /**
   * An agent says what they do in a conversation: checked (an agent socket, a conversation of
   * their inboxes) and fanned out to the other agents as `conversation.activity`, never stored.
   */
  private async activity(client: Client, text: string): Promise<void> {
    let frame: z.infer<typeof activityFrameSchema>;
    try {
      frame = activityFrameSchema.parse(JSON.parse(text));
    } catch {
      return;
    }
    const principal = client.principal;
    if (principal.kind !== 'agent') return;
    const conversation = await this.orm.em.fork().findOne(Conversation, { id: frame.conversationId, tenantId: principal.tenantId }, { fields: ['id', 'channelAccount'] });
    if (!conversation || !canSeeInbox(principal, conversation.channelAccount.id)) return;
    const where = { conversationId: conversation.id, channelAccountId: conversation.channelAccount.id };
    if (client.viewing && client.viewing.conversationId !== where.conversationId) this.announce(client, client.viewing, 'left');
    client.viewing = frame.state === 'left' ? null : where;
    this.announce(client, where, frame.state);
  }

  private announce(client: Client, where: { conversationId: string; channelAccountId: string }, state: ConversationActivity['state']): void {
    const principal = client.principal;
    if (principal.kind !== 'agent' || !this.bus) return;
    const bus = this.bus;
    void this.agentName(principal.agentId).then((agentName) => {
      const live = liveEvents.conversationActivity(principal.tenantSlug, { ...where, data: { agentId: principal.agentId, agentName, state } });
      bus.publishLive(live.subject, { eventId: newId(), occurredAt: this.clock.now().toISOString(), schemaVersion: 1, tenantId: principal.tenantSlug, ...live.event });
    });
  }

  private async agentName(agentId: string): Promise<string> {
    return (await this.orm.em.fork().findOne(Agent, agentId, { fields: ['name'] }))?.name ?? '';
  }

  private dispatch(event: LiveEvent): void {
    if (!event || typeof event !== 'object') return;
    const frame = JSON.stringify(event);
    const recipient = 'recipientAgentId' in event ? event.recipientAgentId : null;
    const actor = event.type === 'conversation.activity' ? event.data.agentId : null;
    for (const client of this.clients) {
      if (client.principal.tenantSlug !== event.tenantId) continue;
      if (event.channelAccountId && !canSeeInbox(client.principal, event.channelAccountId)) continue;
      const agentId = client.principal.kind === 'agent' ? client.principal.agentId : null;
      if (recipient && agentId !== recipient) continue;
      // An agent does not need to hear about their own viewing or typing.
      if (actor && agentId === actor) continue;
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
