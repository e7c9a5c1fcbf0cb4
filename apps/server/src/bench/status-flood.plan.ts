import type { SignedWebhook } from './webhook.loader.js';

/** A webhook of the flood and what it carries. */
export interface FloodWebhook extends SignedWebhook {
  kind: 'status' | 'message';
  /** The wamid it is about: the message a status reports on, or the customer's new message. */
  wamid: string;
  /** `sent`, `delivered` or `read` for a status. */
  status?: string;
  /** A second copy of a webhook already in the list (Meta retries and duplicates). */
  duplicate: boolean;
}

interface MetaPayload {
  entry?: Array<{ changes?: Array<{ value?: { statuses?: Array<{ id: string; status: string }>; messages?: Array<{ id: string }> } }> }>;
}

/** What a simulator delivery carries (one status or one message per webhook, as Meta sends them). */
export function describeWebhook(payload: unknown, signed: SignedWebhook): FloodWebhook | undefined {
  const value = (payload as MetaPayload).entry?.[0]?.changes?.[0]?.value;
  const status = value?.statuses?.[0];
  if (status) return { ...signed, kind: 'status', wamid: status.id, status: status.status, duplicate: false };
  const message = value?.messages?.[0];
  if (message) return { ...signed, kind: 'message', wamid: message.id, duplicate: false };
  return undefined;
}

/**
 * A broadcast's flood: every status and inbound message once, a share of the statuses once more,
 * all in one random order (Meta guarantees no order, not even per message).
 */
export function planFlood(webhooks: readonly FloodWebhook[], duplicateShare: number, random: () => number): FloodWebhook[] {
  const statuses = webhooks.filter((w) => w.kind === 'status');
  const copies = Math.round(statuses.length * duplicateShare);
  const plan = [...webhooks];
  for (let i = 0; i < copies; i++) plan.push({ ...statuses[Math.floor(random() * statuses.length)]!, duplicate: true });
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  return plan;
}
