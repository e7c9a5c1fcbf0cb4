import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type Clock, type ConversationActivity, type LiveEvent, type OutgoingLiveEvent, ObrolError, liveEvents } from '@obrol/contracts';
import { z } from 'zod';
import { WebSocket, WebSocketServer } from 'ws';
import { AuthService } from '../auth/auth.service.js';
import { bearerToken } from '../auth/auth.guard.js';
import { type Principal, assertScope, canSeeInbox } from '../auth/principal.js';
import type { EventBus, Subscription } from '../bus/event-bus.js';
import { CLOCK } from '../clock/clock.token.js';
import { Agent } from '../agents/agent.entity.js';
import { teammateView } from '../agents/team.service.js';
import { Conversation } from '../conversations/conversation.entity.js';
import { newId } from '../database/base.entity.js';

export const REALTIME_PATH = '/api/v1/realtime';
const HEARTBEAT_MS = 30_000;
const REAUTH_MS = 60_000;
/** How long an agent counts as connected after a heartbeat: two missed heartbeats and a margin. */
const CONNECTED_FOR_MS = HEARTBEAT_MS * 2.5;

interface Client {
  socket: WebSocket;
  /** The connection under `socket`, corked while a turn of the event loop writes frames to it. */
  connection: Duplex;
  token: string;
  principal: Principal;
  alive: boolean;
  /** The conversation this agent has open, to announce `left` when the socket closes. */
  viewing: { conversationId: string; channelAccountId: string } | null;
  /** Whether the socket still counts towards its agent's open sockets (released once, on close). */
  counted: boolean;
}

/** Whether a client sees this teammate in their team: they share an inbox, or either is an admin (or an API key of all inboxes). */
function seesTeammate(principal: Principal, teammate: { role: string; inboxIds: string[] }): boolean {
  return principal.inboxIds === 'all' || teammate.role === 'admin' || teammate.inboxIds.some((id) => canSeeInbox(principal, id));
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
  /** Open sockets per agent in this process: the first opening and the last closing change presence. */
  private readonly socketsOf = new Map<string, number>();
  /** Presence writes per agent, in order, so a quick open-and-close cannot land reversed. */
  private readonly presenceWrites = new Map<string, Promise<void>>();
  /** Connections written to in this turn of the event loop, uncorked at its end (`send`). */
  private readonly corked = new Set<Duplex>();
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
      const client: Client = { socket: ws, connection: socket, token: token!, principal, alive: true, viewing: null, counted: principal.kind === 'agent' };
      this.clients.add(client);
      if (principal.kind === 'agent') this.countSocket(principal, +1);
      const gone = () => {
        this.clients.delete(client);
        if (client.viewing) this.announce(client, client.viewing, 'left');
        client.viewing = null;
        if (client.counted && client.principal.kind === 'agent') this.countSocket(client.principal, -1);
        client.counted = false;
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
    void this.agentName(principal.agentId).then((agentName) => {
      this.publish(principal.tenantSlug, liveEvents.conversationActivity(principal.tenantSlug, { ...where, data: { agentId: principal.agentId, agentName, state } }));
    });
  }

  /** One more or one fewer open socket of an agent; the first and the last change their presence. */
  private countSocket(principal: Extract<Principal, { kind: 'agent' }>, delta: 1 | -1): void {
    const before = this.socketsOf.get(principal.agentId) ?? 0;
    const after = before + delta;
    if (after > 0) this.socketsOf.set(principal.agentId, after);
    else this.socketsOf.delete(principal.agentId);
    if ((before === 0) === (after === 0)) return;
    const previous = this.presenceWrites.get(principal.agentId) ?? Promise.resolve();
    const write = previous.then(() => this.recordConnected(principal)).catch((error: unknown) => this.logger.warn(`presence of agent ${principal.agentId} not recorded: ${String(error)}`));
    this.presenceWrites.set(principal.agentId, write);
    void write.then(() => {
      if (this.presenceWrites.get(principal.agentId) === write) this.presenceWrites.delete(principal.agentId);
    });
  }

  /**
   * Writes whether the agent has the app open here now (last seen, connected until) and tells
   * their team with `agent.presence`. With several server processes, one closing its last
   * socket of an agent says offline until another process's heartbeat says otherwise.
   */
  private async recordConnected(principal: Extract<Principal, { kind: 'agent' }>): Promise<void> {
    const connected = this.socketsOf.has(principal.agentId);
    const now = this.clock.now();
    const em = this.orm.em.fork();
    await em.nativeUpdate(Agent, { id: principal.agentId }, { lastSeenAt: now, connectedUntil: connected ? new Date(now.getTime() + CONNECTED_FOR_MS) : null });
    const agent = await em.findOne(Agent, principal.agentId, { populate: ['inboxes'] });
    if (!agent?.active) return;
    this.publish(principal.tenantSlug, liveEvents.agentPresence(principal.tenantSlug, { data: teammateView(agent, now) }));
  }

  /** Agents with the app open here stay connected (and seen) for another while. */
  private async touchConnected(): Promise<void> {
    const agentIds = [...this.socketsOf.keys()];
    if (agentIds.length === 0) return;
    const now = this.clock.now();
    await this.orm.em.fork().nativeUpdate(Agent, { id: { $in: agentIds } }, { lastSeenAt: now, connectedUntil: new Date(now.getTime() + CONNECTED_FOR_MS) });
  }

  private publish(tenant: string, live: OutgoingLiveEvent): void {
    this.bus?.publishLive(live.subject, { eventId: newId(), occurredAt: this.clock.now().toISOString(), schemaVersion: 1, tenantId: tenant, ...live.event });
  }

  private async agentName(agentId: string): Promise<string> {
    return (await this.orm.em.fork().findOne(Agent, agentId, { fields: ['name'] }))?.name ?? '';
  }

  private dispatch(event: LiveEvent): void {
    if (!event || typeof event !== 'object') return;
    // Serialised for the first socket that hears it: a flood with nobody watching costs nothing here.
    let frame: string | undefined;
    const recipient = 'recipientAgentId' in event ? event.recipientAgentId : null;
    const actor = event.type === 'conversation.activity' ? event.data.agentId : null;
    for (const client of this.clients) {
      if (client.principal.tenantSlug !== event.tenantId) continue;
      if (event.type === 'agent.presence' ? !seesTeammate(client.principal, event.data) : event.channelAccountId && !canSeeInbox(client.principal, event.channelAccountId)) continue;
      const agentId = client.principal.kind === 'agent' ? client.principal.agentId : null;
      if (recipient && agentId !== recipient) continue;
      // An agent does not need to hear about their own viewing or typing.
      if (actor && agentId === actor) continue;
      if (client.socket.readyState === WebSocket.OPEN) this.send(client, (frame ??= JSON.stringify(event)));
    }
  }

  /**
   * The frames a client gets within one turn of the event loop leave in one write: its
   * connection is corked at the first and uncorked once the turn's work is done. A group commit
   * publishes its events together, so an agent's socket costs one system call per batch of
   * messages or receipts instead of one per frame (ADR 0047). Frames keep their order; none
   * waits for a later turn.
   */
  private send(client: Client, frame: string): void {
    if (!this.corked.has(client.connection)) {
      if (this.corked.size === 0) process.nextTick(() => this.uncork());
      client.connection.cork();
      this.corked.add(client.connection);
    }
    client.socket.send(frame);
  }

  private uncork(): void {
    for (const connection of this.corked) connection.uncork();
    this.corked.clear();
  }

  private heartbeat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        // The close event that follows releases the socket from its agent's count.
        client.socket.terminate();
        this.clients.delete(client);
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
    this.touchConnected().catch((error: unknown) => this.logger.warn(`presence heartbeat not recorded: ${String(error)}`));
  }

  /** Inbox membership and session validity can change: refresh them, close revoked sessions. */
  private async reauthenticate(): Promise<void> {
    for (const client of this.clients) {
      try {
        client.principal = await this.auth.authenticate(client.token);
        assertScope(client.principal, 'read');
      } catch {
        // The close event that follows releases the socket from its agent's count.
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
    // A shutdown is no goodbye: the agents' connections lapse on their own (CONNECTED_FOR_MS) unless another process holds them.
    for (const client of this.clients) client.counted = false;
    this.socketsOf.clear();
    await Promise.all(this.presenceWrites.values());
    for (const client of this.clients) client.socket.close(1001, 'server shutting down');
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
