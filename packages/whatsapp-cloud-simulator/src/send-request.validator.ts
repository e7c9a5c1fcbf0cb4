import { fail, graphError, ok, type Checked } from './graph-error.js';
import { toWaId } from './meta-ids.js';

/** A valid `POST /{phone-number-id}/messages` body. */
export type SendRequest =
  | { kind: 'message'; to: string; waId: string; type: string; body: Record<string, unknown> }
  | { kind: 'mark-read'; messageId: string; typing: boolean };

const MESSAGE_TYPES = ['text', 'image', 'audio', 'document', 'sticker', 'video', 'location', 'contacts', 'interactive', 'reaction', 'template'];
const MEDIA_TYPES = ['image', 'audio', 'document', 'sticker', 'video'];
const INTERACTIVE_TYPES = ['button', 'list', 'cta_url', 'flow', 'product', 'product_list', 'catalog_message', 'location_request_message', 'address_message', 'call_permission_request', 'voice_call'];

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const invalid = (details: string) => fail<never>(graphError(100, details));
const tooLong = (value: unknown, max: number) => typeof value === 'string' && value.length > max;

/** Checks a send body the way the Cloud API does synchronously (→ 100 with details). */
export function validateSendRequest(body: unknown): Checked<SendRequest> {
  if (!isRecord(body)) return invalid('The request body must be a JSON object.');
  if (body.messaging_product !== 'whatsapp') return invalid('The parameter messaging_product is required and must be "whatsapp".');
  if (body.status !== undefined) {
    if (body.status !== 'read') return invalid('Param status must be "read".');
    if (typeof body.message_id !== 'string' || body.message_id === '') return invalid('The parameter message_id is required.');
    if (body.typing_indicator !== undefined && (!isRecord(body.typing_indicator) || body.typing_indicator.type !== 'text'))
      return invalid('Param typing_indicator[type] must be "text".');
    return ok({ kind: 'mark-read', messageId: body.message_id, typing: body.typing_indicator !== undefined });
  }
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual') return invalid('Param recipient_type must be "individual".');
  const to = phoneNumberOf(body.to);
  if (to === undefined || toWaId(to).length < 6) return invalid('The parameter to is required and must be a phone number.');
  const type = body.type ?? 'text';
  if (typeof type !== 'string' || !MESSAGE_TYPES.includes(type)) return invalid(`Param type must be one of {${MESSAGE_TYPES.join(', ')}}.`);
  const object = body[type];
  if (!isRecord(object) && !(type === 'contacts' && Array.isArray(object))) return invalid(`The parameter ${type} is required for type ${type}.`);
  if (body.context !== undefined && (!isRecord(body.context) || typeof body.context.message_id !== 'string'))
    return invalid('Param context[message_id] must be a string.');
  if (tooLong(body.biz_opaque_callback_data, 512)) return invalid('Param biz_opaque_callback_data must be at most 512 characters.');
  const problem = checkTypeObject(type, object);
  if (problem) return invalid(problem);
  return ok({ kind: 'message', to, waId: toWaId(to), type, body });
}

/** Meta takes `to` as a string (`+`, spaces, hyphens and parentheses allowed) or as a JSON number of digits. */
function phoneNumberOf(to: unknown): string | undefined {
  if (typeof to === 'string') return to;
  if (typeof to === 'number' && Number.isSafeInteger(to) && to > 0) return String(to);
  return undefined;
}

function checkTypeObject(type: string, object: unknown): string | undefined {
  if (type === 'contacts') {
    if (!Array.isArray(object) || object.length === 0) return 'Param contacts must be a non-empty array.';
    if (!object.every((contact) => isRecord(contact) && isRecord(contact.name) && typeof contact.name.formatted_name === 'string'))
      return 'Param contacts[name][formatted_name] is required.';
    return undefined;
  }
  const value = object as Record<string, unknown>;
  if (type === 'text') {
    if (typeof value.body !== 'string' || value.body.trim() === '') return 'Param text[body] is required.';
    if (value.body.length > 4096) return 'Param text[body] must be at most 4096 characters.';
    return undefined;
  }
  if (MEDIA_TYPES.includes(type)) {
    const hasId = typeof value.id === 'string' && value.id !== '';
    const hasLink = typeof value.link === 'string' && value.link !== '';
    if (hasId === hasLink) return `Param ${type} must have exactly one of id or link.`;
    if (hasLink && !/^https?:\/\//.test(value.link as string)) return `Param ${type}[link] must be an http(s) URL.`;
    if (value.caption !== undefined && !['image', 'video', 'document'].includes(type)) return `Param ${type}[caption] is not supported for ${type}.`;
    if (tooLong(value.caption, 1024)) return `Param ${type}[caption] must be at most 1024 characters.`;
    return undefined;
  }
  if (type === 'location') {
    const latitude = Number(value.latitude);
    const longitude = Number(value.longitude);
    if (value.latitude === undefined || value.longitude === undefined || !Number.isFinite(latitude) || !Number.isFinite(longitude))
      return 'Params location[latitude] and location[longitude] are required numbers.';
    return undefined;
  }
  if (type === 'reaction') {
    if (typeof value.message_id !== 'string' || value.message_id === '') return 'Param reaction[message_id] is required.';
    if (typeof value.emoji !== 'string') return 'Param reaction[emoji] is required (an empty string removes the reaction).';
    return undefined;
  }
  if (type === 'template') {
    if (typeof value.name !== 'string' || value.name === '') return 'Param template[name] is required.';
    if (!isRecord(value.language) || typeof value.language.code !== 'string') return 'Param template[language][code] is required.';
    return undefined;
  }
  return checkInteractive(value);
}

function checkInteractive(value: Record<string, unknown>): string | undefined {
  if (typeof value.type !== 'string' || !INTERACTIVE_TYPES.includes(value.type)) return `Param interactive[type] must be one of {${INTERACTIVE_TYPES.join(', ')}}.`;
  const body = isRecord(value.body) ? value.body.text : undefined;
  const action = isRecord(value.action) ? value.action : undefined;
  if (isRecord(value.footer) && tooLong(value.footer.text, 60)) return 'Param interactive[footer][text] must be at most 60 characters.';
  if (isRecord(value.header) && value.header.type === 'text' && tooLong(value.header.text, 60)) return 'Param interactive[header][text] must be at most 60 characters.';
  if (value.type === 'button') {
    if (typeof body !== 'string' || body === '') return 'Param interactive[body][text] is required.';
    if (body.length > 1024) return 'Param interactive[body][text] must be at most 1024 characters.';
    const buttons = action?.buttons;
    if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) return 'Param interactive[action][buttons] must have between 1 and 3 buttons.';
    const ids = new Set<string>();
    for (const button of buttons) {
      const reply = isRecord(button) && isRecord(button.reply) ? button.reply : undefined;
      if (!reply || typeof reply.id !== 'string' || typeof reply.title !== 'string') return 'Each button needs reply[id] and reply[title].';
      if (reply.id.length > 256 || ids.has(reply.id)) return 'Button ids must be unique and at most 256 characters.';
      if (reply.title.length > 20) return `Button title "${reply.title}" is longer than 20 characters.`;
      ids.add(reply.id);
    }
    return undefined;
  }
  if (value.type === 'list') {
    if (typeof body !== 'string' || body === '') return 'Param interactive[body][text] is required.';
    if (typeof action?.button !== 'string' || action.button.length > 20) return 'Param interactive[action][button] is required, at most 20 characters.';
    const sections = action.sections;
    if (!Array.isArray(sections) || sections.length < 1 || sections.length > 10) return 'Param interactive[action][sections] must have between 1 and 10 sections.';
    let rows = 0;
    for (const section of sections) {
      if (!isRecord(section) || !Array.isArray(section.rows)) return 'Each section needs rows.';
      if (sections.length > 1 && typeof section.title !== 'string') return 'Each section needs a title when there is more than one.';
      if (tooLong(section.title, 24)) return 'Section titles must be at most 24 characters.';
      for (const row of section.rows) {
        if (!isRecord(row) || typeof row.id !== 'string' || typeof row.title !== 'string') return 'Each row needs an id and a title.';
        if (row.id.length > 200 || row.title.length > 24 || tooLong(row.description, 72)) return `Row "${row.title}" exceeds Meta's limits (id 200, title 24, description 72).`;
        rows++;
      }
    }
    if (rows > 10) return 'A list can have at most 10 rows in total.';
    return undefined;
  }
  if (value.type === 'cta_url') {
    const parameters = isRecord(action?.parameters) ? action.parameters : undefined;
    if (typeof body !== 'string') return 'Param interactive[body][text] is required.';
    if (typeof parameters?.display_text !== 'string' || parameters.display_text.length > 20 || typeof parameters.url !== 'string')
      return 'Param interactive[action][parameters] needs display_text (at most 20 characters) and url.';
  }
  return undefined;
}
