import type { TemplateParameter, TemplateParameters } from '@obrol/contracts';
import type { PickerTemplate, TemplateSend } from './types';

/** One value the agent fills before sending a template. */
export interface TemplateSlot {
  /** Key in the values map: `header:1`, `body:first_name`, `button:0`. */
  key: string;
  component: 'header' | 'body' | 'button';
  /** The variable's number or name (for buttons: the button's index). */
  variable: string;
  /** Header media to fill by URL (`image`, `video`, `document`). */
  media?: 'image' | 'video' | 'document';
  buttonType?: string;
}

const MEDIA = new Set(['image', 'video', 'document']);
const byNumber = (a: string, b: string) => Number(a) - Number(b);

/** The slots of a template, in the order the API expects its parameters. */
export function templateSlots(template: PickerTemplate): TemplateSlot[] {
  const positional = template.parameterFormat === 'positional';
  const order = (vars: string[]) => (positional ? [...vars].sort(byNumber) : vars);
  const header = template.components.header;
  const slots: TemplateSlot[] = [];
  if (header?.format === 'TEXT') for (const v of order(template.variables.header)) slots.push({ key: `header:${v}`, component: 'header', variable: v });
  else if (header && MEDIA.has(header.format.toLowerCase())) {
    const format = header.format.toLowerCase() as 'image' | 'video' | 'document';
    slots.push({ key: `header:${format}`, component: 'header', variable: format, media: format });
  }
  for (const v of order(template.variables.body)) slots.push({ key: `body:${v}`, component: 'body', variable: v });
  for (const b of template.variables.buttons) slots.push({ key: `button:${b.index}`, component: 'button', variable: String(b.index), buttonType: b.type });
  return slots;
}

const BUTTON_SUBTYPE: Record<string, 'url' | 'copy_code' | 'otp' | 'quick_reply'> = { URL: 'url', COPY_CODE: 'copy_code', OTP: 'otp', QUICK_REPLY: 'quick_reply' };

/** The `template` body of a send, from the values the agent typed. */
export function buildTemplateSend(template: PickerTemplate, values: Record<string, string>): TemplateSend {
  const named = template.parameterFormat === 'named';
  const parameters: TemplateParameters = {};
  const text = (slot: TemplateSlot): TemplateParameter => ({ type: 'text', text: values[slot.key] ?? '', ...(named ? { name: slot.variable } : {}) });
  for (const slot of templateSlots(template)) {
    if (slot.component === 'header') {
      const value: TemplateParameter = slot.media ? { type: slot.media, media: { url: values[slot.key] ?? '' } } : text(slot);
      (parameters.header ??= []).push(value);
    } else if (slot.component === 'body') (parameters.body ??= []).push(text(slot));
    else (parameters.buttons ??= []).push({ index: Number(slot.variable), subType: BUTTON_SUBTYPE[slot.buttonType ?? ''] ?? 'url', value: values[slot.key] ?? '' });
  }
  return { name: template.name, language: template.language, parameters };
}

/** A template's text with the typed values in place; unfilled variables stay as `{{1}}`. */
export function renderTemplateText(text: string, component: 'header' | 'body', values: Record<string, string>): string {
  return text.replace(/\{\{\s*([a-z0-9_]+)\s*\}\}/g, (whole, name: string) => values[`${component}:${name}`]?.trim() || whole);
}
