import type { FastifyInstance } from 'fastify';
import type { CustomerContent, OutboundMessageRecord, SimulatedCustomer } from './customer-directory.js';
import { CUSTOMER_PAGE_HTML } from './customer-page.html.js';
import type { SimulatorCore } from './whatsapp-simulator.js';

const CONTENT_TYPES = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'button_reply', 'list_reply', 'button', 'reaction', 'order', 'unsupported'];
const WINDOW_MS = 24 * 60 * 60 * 1_000;

/** The customer page at `/` and its small JSON API under `/_sim/…` (no auth: a local tool). */
export function registerSimulatorRoutes(server: FastifyInstance, core: SimulatorCore): void {
  const summary = (customer: SimulatedCustomer) => ({
    phone: customer.waId,
    name: customer.name,
    lastInboundAt: customer.lastInboundAt?.toISOString() ?? null,
    windowExpiresAt: customer.lastInboundAt ? new Date(customer.lastInboundAt.getTime() + WINDOW_MS).toISOString() : null,
    windowOpen: core.directory.isWindowOpen(customer.waId, core.config.clock.now()),
    typing: core.directory.isTyping(customer.waId, core.config.clock.now()),
    messages: customer.inbound.length + customer.outbound.length,
  });

  server.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(CUSTOMER_PAGE_HTML));

  server.get('/_sim/state', async () => ({
    business: { ...core.business, verifiedName: core.config.verifiedName },
    webhookUrl: core.dispatcher.webhookUrl ?? null,
    now: core.config.clock.now().toISOString(),
    customers: core.directory.list().map(summary),
  }));

  server.post<{ Body: { phone?: string; name?: string } }>('/_sim/customers', async (request, reply) => {
    const phone = request.body?.phone?.replace(/\D/g, '') ?? '';
    if (phone.length < 6) return reply.code(400).send({ error: 'phone must have at least 6 digits' });
    return summary(core.directory.ensure(phone, request.body?.name?.trim() || undefined));
  });

  server.get<{ Params: { phone: string } }>('/_sim/customers/:phone/conversation', async (request, reply) => {
    const customer = core.directory.get(request.params.phone);
    if (!customer) return reply.code(404).send({ error: 'unknown customer' });
    const inbound = customer.inbound.map((message) => ({
      direction: 'in' as const,
      id: message.id,
      at: message.timestamp.toISOString(),
      type: message.type,
      text: inboundText(message.message),
      status: message.readByBusiness ? 'read' : 'delivered',
    }));
    const outbound = customer.outbound.map((message) => ({
      direction: 'out' as const,
      id: message.id,
      at: message.acceptedAt.toISOString(),
      type: message.type,
      text: message.preview,
      header: message.template?.rendered.header,
      footer: message.template?.rendered.footer,
      status: message.status,
      errors: message.errors?.map((error) => `${error.code} ${error.title}`),
      actions: actionsOf(message),
    }));
    return { customer: summary(customer), messages: [...inbound, ...outbound].sort((a, b) => a.at.localeCompare(b.at)) };
  });

  server.post<{ Params: { phone: string }; Body: Record<string, unknown> }>('/_sim/customers/:phone/messages', async (request, reply) => {
    const body = request.body ?? {};
    const type = typeof body.type === 'string' ? body.type : 'text';
    if (!CONTENT_TYPES.includes(type)) return reply.code(400).send({ error: `type must be one of ${CONTENT_TYPES.join(', ')}` });
    if (type === 'text' && typeof body.text !== 'string' && typeof body.body !== 'string') return reply.code(400).send({ error: 'text is required' });
    const { name, replyTo, dataBase64, text, ...rest } = body;
    const content = (
      type === 'text'
        ? { type, body: String(text ?? body.body) }
        : { ...rest, type, ...(typeof dataBase64 === 'string' ? { data: Buffer.from(dataBase64, 'base64') } : {}) }
    ) as CustomerContent;
    const id = core.customerSend(request.params.phone, content, {
      name: typeof name === 'string' && name.trim() ? name.trim() : undefined,
      replyTo: typeof replyTo === 'string' ? replyTo : undefined,
    });
    return { id };
  });

  server.post<{ Params: { phone: string } }>('/_sim/customers/:phone/read', async (request) => ({ read: core.pipeline.readAll(request.params.phone.replace(/\D/g, '')) }));

  server.get<{ Querystring: { limit?: string } }>('/_sim/deliveries', async (request) =>
    core.dispatcher.deliveries.slice(-Number(request.query.limit ?? 100)).map((delivery) => ({
      id: delivery.id,
      kind: delivery.kind,
      state: delivery.state,
      duplicate: delivery.duplicate,
      attempts: delivery.attempts.map((attempt) => ({ at: attempt.at.toISOString(), statusCode: attempt.statusCode, error: attempt.error })),
      payload: delivery.payload,
    })),
  );

  server.put<{ Body: { url?: string | null } }>('/_sim/webhook-url', async (request, reply) => {
    const url = request.body?.url ?? undefined;
    if (url !== undefined && !/^https?:\/\//.test(url)) return reply.code(400).send({ error: 'url must be an http(s) URL or null' });
    core.dispatcher.setUrl(url);
    return { webhookUrl: url ?? null };
  });

  server.get('/_sim/templates', async () => core.templates.all());
}

function inboundText(message: Record<string, unknown>): string {
  const type = String(message.type);
  const object = (message[type] ?? {}) as Record<string, unknown>;
  if (type === 'text') return String(object.body);
  if (type === 'interactive') {
    const reply = (object.button_reply ?? object.list_reply ?? {}) as { title?: string };
    return `[tapped] ${reply.title ?? ''}`;
  }
  if (type === 'button') return `[tapped] ${String(object.text)}`;
  if (type === 'reaction') return object.emoji ? `reacted ${String(object.emoji)}` : 'removed a reaction';
  if (type === 'location') return `[location] ${String(object.name ?? `${String(object.latitude)}, ${String(object.longitude)}`)}`;
  return `[${type}]${object.caption ? ` ${String(object.caption)}` : ''}`;
}

/** Buttons and list rows the customer can tap, with the reply they produce. */
function actionsOf(message: OutboundMessageRecord): Array<{ label: string; reply: CustomerContent }> {
  if (message.template) {
    return message.template.rendered.buttons
      .filter((button) => button.type === 'QUICK_REPLY')
      .map((button) => ({ label: button.text, reply: { type: 'button', text: button.text, ...(button.payload ? { payload: button.payload } : {}) } }));
  }
  if (message.type !== 'interactive') return [];
  const interactive = message.request.interactive as { type?: string; action?: Record<string, unknown> };
  if (interactive.type === 'button') {
    const buttons = (interactive.action?.buttons ?? []) as Array<{ reply: { id: string; title: string } }>;
    return buttons.map(({ reply }) => ({ label: reply.title, reply: { type: 'button_reply', id: reply.id, title: reply.title } }));
  }
  if (interactive.type === 'list') {
    const sections = (interactive.action?.sections ?? []) as Array<{ rows: Array<{ id: string; title: string; description?: string }> }>;
    return sections.flatMap((section) =>
      section.rows.map((row) => ({ label: row.title, reply: { type: 'list_reply', id: row.id, title: row.title, ...(row.description ? { description: row.description } : {}) } })),
    );
  }
  return [];
}
