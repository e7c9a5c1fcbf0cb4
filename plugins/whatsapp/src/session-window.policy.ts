import { fixedWindowPolicy, type SessionPolicy } from '@obrol/contracts';

/** WhatsApp's customer service window: 24 hours after the customer's last message. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Free-form (session) messages may be sent while `now < lastInboundAt + 24h`; after that only
 * approved templates. `lastInboundAt` is Meta's timestamp of the customer's message.
 */
export const whatsAppSessionWindowPolicy: SessionPolicy = fixedWindowPolicy(CUSTOMER_SERVICE_WINDOW_MS);
