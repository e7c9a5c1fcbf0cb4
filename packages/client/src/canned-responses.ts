import type { ContactView } from './views.js';

/**
 * Fills a canned response for a contact: `{{contact.name}}`, `{{contact.phone}}` and
 * `{{contact.<attribute>}}`. A value the contact lacks stays as the placeholder, so the agent
 * sees what is missing before sending.
 */
export function fillCannedResponse(text: string, contact: Pick<ContactView, 'name' | 'phone' | 'attributes'> | null): string {
  return text.replace(/\{\{\s*contact\.([\p{L}\p{N}_-]+)\s*\}\}/gu, (placeholder, key: string) => {
    if (!contact) return placeholder;
    const value = key === 'name' ? contact.name : key === 'phone' ? contact.phone : contact.attributes[key];
    return value ? value : placeholder;
  });
}
