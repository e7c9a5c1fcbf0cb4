import { toWaId } from './meta-ids.js';
import type { WebhookErrorObject } from './graph-error.js';
import type { RenderedTemplate } from './template-rules.js';

/** What a simulated customer can send; media `data` is stored so the business can download it. */
export type CustomerContent =
  | { type: 'text'; body: string }
  | {
      type: 'image' | 'video' | 'audio' | 'document' | 'sticker';
      /** The bytes; a small placeholder file when omitted. */
      data?: Uint8Array;
      mimeType?: string;
      caption?: string;
      filename?: string;
      /** Audio recorded in the app. */
      voice?: boolean;
      animated?: boolean;
    }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string; url?: string }
  /** vCards in Meta's shape: `{ name: { formatted_name }, phones: [{ phone, wa_id?, type }] … }`. */
  | { type: 'contacts'; contacts: Array<Record<string, unknown>> }
  | { type: 'button_reply'; id: string; title: string }
  | { type: 'list_reply'; id: string; title: string; description?: string }
  /** A tapped quick-reply button of a template. */
  | { type: 'button'; text: string; payload?: string }
  /** Omit `emoji` to remove a reaction. */
  | { type: 'reaction'; messageId: string; emoji?: string }
  | {
      type: 'order';
      catalogId: string;
      text?: string;
      productItems: Array<{ product_retailer_id: string; quantity: number; item_price: number; currency: string }>;
    }
  /** A message type the Cloud API does not support, e.g. `edit` or `poll_update`. */
  | { type: 'unsupported'; unsupportedType?: string };

/** Options of a customer send. */
export interface CustomerSendOptions {
  /** Profile name; remembered for later messages. */
  name?: string;
  /** When the customer sent it (default: the clock's now); opens the 24-hour window from then. */
  timestamp?: Date;
  /** The wamid of the business message being quoted; interactive replies default to the latest one. */
  replyTo?: string;
  forwarded?: boolean;
}

/** A message a simulated customer sent to the business. */
export interface InboundMessageRecord {
  id: string;
  from: string;
  type: string;
  timestamp: Date;
  /** The object as it appears in `value.messages[]`. */
  message: Record<string, unknown>;
  readByBusiness: boolean;
}

/** Delivery states of a business message, as the customer's phone reports them. */
export type OutboundStatus = 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';

/** A message the business sent and the simulator accepted. */
export interface OutboundMessageRecord {
  id: string;
  /** `to` as the business wrote it. */
  input: string;
  waId: string;
  type: string;
  /** The request body as received. */
  request: Record<string, unknown>;
  acceptedAt: Date;
  status: OutboundStatus;
  statuses: Array<{ status: OutboundStatus; at: Date }>;
  errors?: WebhookErrorObject[];
  template?: { name: string; language: string; category: string; rendered: RenderedTemplate };
  /** A one-line text of what the customer sees. */
  preview: string;
}

/** A typing indicator the business sent with a read receipt (WHATSAPP.md §2.4). */
export interface TypingIndicatorRecord {
  waId: string;
  /** The customer's message it was sent for. */
  messageId: string;
  at: Date;
}

/** A simulated WhatsApp user. */
export interface SimulatedCustomer {
  waId: string;
  name: string;
  /** Time of the latest inbound message; the 24-hour window runs from it. */
  lastInboundAt?: Date;
  /** Until when the customer sees "typing…"; cleared by the business's next message. */
  typingUntil?: Date;
  inbound: InboundMessageRecord[];
  outbound: OutboundMessageRecord[];
}

const WINDOW_MS = 24 * 60 * 60 * 1_000;
/** Meta dismisses a typing indicator after 25 seconds, or sooner when the business responds. */
const TYPING_MS = 25 * 1_000;

/** The crowd of simulated customers and everything exchanged with them. */
export class CustomerDirectory {
  private readonly customers = new Map<string, SimulatedCustomer>();
  private readonly outboundById = new Map<string, OutboundMessageRecord>();
  private readonly inboundById = new Map<string, InboundMessageRecord>();
  readonly sent: OutboundMessageRecord[] = [];
  readonly typingIndicators: TypingIndicatorRecord[] = [];
  private readonly acceptedListeners = new Set<(record: OutboundMessageRecord) => void>();

  /** `messageLogLimit`: business messages kept; the oldest are forgotten past it, a tenth at a time. */
  constructor(private readonly messageLimit = Number.POSITIVE_INFINITY) {}

  /** Finds or creates a customer; a given name replaces the stored one. */
  ensure(phone: string, name?: string): SimulatedCustomer {
    const waId = toWaId(phone);
    let customer = this.customers.get(waId);
    if (!customer) {
      customer = { waId, name: name ?? `Customer ${waId.slice(-4)}`, inbound: [], outbound: [] };
      this.customers.set(waId, customer);
    } else if (name) {
      customer.name = name;
    }
    return customer;
  }

  get(phone: string): SimulatedCustomer | undefined {
    return this.customers.get(toWaId(phone));
  }

  list(): SimulatedCustomer[] {
    return [...this.customers.values()];
  }

  /** Takes back customers saved by a state file, with their messages. */
  restore(customers: SimulatedCustomer[]): void {
    for (const customer of customers) {
      this.customers.set(customer.waId, customer);
      for (const record of customer.inbound) this.inboundById.set(record.id, record);
      for (const record of customer.outbound) this.outboundById.set(record.id, record);
    }
    this.sent.push(...customers.flatMap((customer) => customer.outbound).sort((a, b) => a.acceptedAt.getTime() - b.acceptedAt.getTime()));
  }

  /** Open while less than 24 hours have passed since the customer's latest message. */
  isWindowOpen(phone: string, now: Date): boolean {
    const last = this.get(phone)?.lastInboundAt;
    return last !== undefined && now.getTime() - last.getTime() < WINDOW_MS;
  }

  recordInbound(customer: SimulatedCustomer, record: InboundMessageRecord): void {
    customer.inbound.push(record);
    this.inboundById.set(record.id, record);
    if (!customer.lastInboundAt || record.timestamp > customer.lastInboundAt) customer.lastInboundAt = record.timestamp;
  }

  recordOutbound(record: OutboundMessageRecord): void {
    const customer = this.ensure(record.waId);
    customer.outbound.push(record);
    customer.typingUntil = undefined;
    this.outboundById.set(record.id, record);
    this.sent.push(record);
    if (this.sent.length > this.messageLimit + Math.ceil(this.messageLimit / 10)) this.forgetOldest(this.sent.length - this.messageLimit);
    for (const listener of this.acceptedListeners) listener(record);
  }

  /** Calls `listener` with each business message accepted from now on, until the returned function is called. */
  onAccepted(listener: (record: OutboundMessageRecord) => void): () => void {
    const own = (record: OutboundMessageRecord) => listener(record);
    this.acceptedListeners.add(own);
    return () => this.acceptedListeners.delete(own);
  }

  /** Drops the `count` oldest business messages from every index; a customer keeps the rest of theirs. */
  private forgetOldest(count: number): void {
    const forgotten = new Set(this.sent.splice(0, count));
    const customers = new Set<SimulatedCustomer>();
    for (const record of forgotten) {
      this.outboundById.delete(record.id);
      const customer = this.customers.get(record.waId);
      if (customer) customers.add(customer);
    }
    for (const customer of customers) customer.outbound = customer.outbound.filter((record) => !forgotten.has(record));
  }

  outbound(id: string): OutboundMessageRecord | undefined {
    return this.outboundById.get(id);
  }

  inbound(id: string): InboundMessageRecord | undefined {
    return this.inboundById.get(id);
  }

  /** Shows "typing…" to the author of an inbound message; false when the message is unknown. */
  startTyping(messageId: string, now: Date): boolean {
    const record = this.inboundById.get(messageId);
    const customer = record && this.customers.get(record.from);
    if (!customer) return false;
    customer.typingUntil = new Date(now.getTime() + TYPING_MS);
    this.typingIndicators.push({ waId: customer.waId, messageId, at: now });
    return true;
  }

  isTyping(phone: string, now: Date): boolean {
    const until = this.get(phone)?.typingUntil;
    return until !== undefined && now.getTime() < until.getTime();
  }

  /** Marks an inbound message and the customer's earlier ones as read by the business. */
  markReadByBusiness(id: string): boolean {
    const record = this.inboundById.get(id);
    if (!record) return false;
    const customer = this.customers.get(record.from);
    for (const message of customer?.inbound ?? []) if (message.timestamp <= record.timestamp) message.readByBusiness = true;
    record.readByBusiness = true;
    return true;
  }
}
