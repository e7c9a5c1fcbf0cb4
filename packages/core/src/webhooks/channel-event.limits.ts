import type { Logger } from '@nestjs/common';
import { CHANNEL_EVENT_LIMITS, type ChannelEvent, ObrolError } from '@obrol/contracts';

/** Code points, as PostgreSQL's varchar counts them. */
const lengthOf = (text: string) => [...text].length;

/**
 * Holds provider events to the limits every database stores (`CHANNEL_EVENT_LIMITS`): an over-long
 * id refuses the delivery with 400 naming the field, an over-long profile name is cut and
 * logged, a "phone" too long to be one is dropped and logged. Never a silent loss.
 */
export function withinEventLimits(events: ChannelEvent[], logger: Pick<Logger, 'warn'>): ChannelEvent[] {
  const tooLong = (value: string | undefined, max: number, field: string) => {
    if (value !== undefined && lengthOf(value) > max) {
      throw new ObrolError('WEBHOOK_PAYLOAD_INVALID', `${field} is ${lengthOf(value)} characters long; at most ${max} are accepted.`, {
        problems: [{ field, message: `longer than ${max} characters` }],
      });
    }
  };
  return events.map((event, i) => {
    if (event.kind === 'status') tooLong(event.externalId, CHANNEL_EVENT_LIMITS.messageExternalId, `events[${i}].externalId`);
    if (event.kind !== 'inbound_message') return event;
    tooLong(event.externalId, CHANNEL_EVENT_LIMITS.messageExternalId, `events[${i}].externalId`);
    tooLong(event.replyToExternalId, CHANNEL_EVENT_LIMITS.messageExternalId, `events[${i}].replyToExternalId`);
    tooLong(event.from.externalId, CHANNEL_EVENT_LIMITS.contactExternalId, `events[${i}].from.externalId`);
    const from = { ...event.from };
    if (from.name !== undefined && lengthOf(from.name) > CHANNEL_EVENT_LIMITS.name) {
      logger.warn(`profile name of ${from.externalId} is ${lengthOf(from.name)} characters; kept the first ${CHANNEL_EVENT_LIMITS.name}`);
      from.name = [...from.name].slice(0, CHANNEL_EVENT_LIMITS.name).join('');
    }
    if (from.phone !== undefined && lengthOf(from.phone) > CHANNEL_EVENT_LIMITS.phone) {
      logger.warn(`phone of ${from.externalId} is ${lengthOf(from.phone)} characters, too long for a phone number; not stored`);
      delete from.phone;
    }
    return { ...event, from };
  });
}
