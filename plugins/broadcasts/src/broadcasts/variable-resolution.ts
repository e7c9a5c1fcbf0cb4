import type { TemplateParameter, TemplateParameters } from '@obrol/contracts';
import type { HeaderMedia, RecipientReasonCode, VariableMapping, VariableSource } from './broadcast.schemas.js';

/** What a recipient's values come from: their CSV cells and their contact. */
export interface RecipientValues {
  columns: Record<string, string>;
  contact: { name: string | null; phone: string | null; attributes: Record<string, string> } | null;
}

/**
 * Why a recipient cannot be sent (or was not), as a stable code with its parameters — what the
 * apps translate — and the same in English words (`text`), kept for the API, exports and logs.
 */
export interface RecipientProblem {
  code: RecipientReasonCode;
  params: Record<string, string | number>;
  text: string;
}

export type Resolution = { ok: true; parameters: TemplateParameters } | { ok: false; problems: RecipientProblem[] };

/** The value of one variable for one recipient, or null when it has none and no fallback. */
export function valueOf(source: VariableSource, values: RecipientValues): string | null {
  if (source.from === 'constant') return source.value;
  let value: string | null | undefined;
  if (source.from === 'column') value = values.columns[source.column.toLowerCase()];
  else if (source.field === 'name') value = values.contact?.name;
  else if (source.field === 'phone') value = values.contact?.phone;
  else value = values.contact?.attributes[source.field.slice('attributes.'.length)];
  return value?.trim() ? value.trim() : (source.fallback ?? null);
}

const describe = (source: VariableSource) => (source.from === 'column' ? `column "${source.column}"` : source.from === 'contact' ? `contact ${source.field}` : 'constant');
/** Where an empty value came from, for the translated sentence: a column's name or a contact field. */
const sourceParams = (source: VariableSource): Record<string, string> => (source.from === 'column' ? { column: source.column } : source.from === 'contact' ? { field: source.field } : {});

/** WhatsApp's limits on parameter values. */
const MAX_BODY_VALUE = 1024;
const MAX_HEADER_VALUE = 60;

/**
 * The header's file for one recipient: their link, or the uploaded file by the provider's id
 * once it was uploaded at start (by Obrol's id before, for previews). Null with a problem when it has none.
 */
function headerMediaOf(media: HeaderMedia, values: RecipientValues, uploaded: UploadedHeader, problems: RecipientProblem[]): TemplateParameter | null {
  const filename = media.type === 'document' && 'filename' in media && media.filename ? { filename: media.filename } : {};
  if ('mediaId' in media) {
    const ref = { mediaId: media.mediaId, ...(uploaded.providerMediaId ? { providerMediaId: uploaded.providerMediaId } : {}) };
    return { type: media.type, media: ref, ...filename } as TemplateParameter;
  }
  const url = valueOf(media.source, values);
  if (!url) problems.push({ code: 'HEADER_LINK_MISSING', params: { media: media.type }, text: `The header ${media.type} has no link.` });
  else if (!/^https:\/\/\S+$/.test(url)) problems.push({ code: 'HEADER_LINK_INVALID', params: { media: media.type, url }, text: `The header ${media.type} link "${url}" is not an https URL.` });
  else return { type: media.type, media: { url } } as TemplateParameter;
  return null;
}

/** The provider's id of the broadcast's uploaded header file, once uploaded. */
export interface UploadedHeader {
  providerMediaId?: string | null;
}

/** The template parameters of one recipient, from the mapping; every problem named. */
export function resolveParameters(mapping: VariableMapping, values: RecipientValues, uploaded: UploadedHeader = {}): Resolution {
  const problems: RecipientProblem[] = [];
  const text = (part: 'header' | 'body', name: string, entry: { name?: string; source: VariableSource }, max: number): TemplateParameter | null => {
    const where = `${part} variable ${name}`;
    const value = valueOf(entry.source, values);
    if (value === null) {
      problems.push({ code: 'VARIABLE_EMPTY', params: { part, name, ...sourceParams(entry.source) }, text: `${where} has no value (${describe(entry.source)} is empty and there is no fallback).` });
      return null;
    }
    if (value.length > max) problems.push({ code: 'VARIABLE_TOO_LONG', params: { part, name, length: value.length, max }, text: `${where} is ${value.length} characters; WhatsApp allows ${max}.` });
    return { type: 'text', text: value, ...(entry.name ? { name: entry.name } : {}) };
  };
  const parameters: TemplateParameters = {};
  const header = (mapping.header ?? []).map((e, i) => text('header', String(e.name ?? i + 1), e, MAX_HEADER_VALUE));
  if (mapping.headerMedia) header.push(headerMediaOf(mapping.headerMedia, values, uploaded, problems));
  if (header.length) parameters.header = header.filter((p): p is TemplateParameter => !!p);
  const body = (mapping.body ?? []).map((e, i) => text('body', String(e.name ?? i + 1), e, MAX_BODY_VALUE));
  if (body.length) parameters.body = body.filter((p): p is TemplateParameter => !!p);
  if (mapping.buttons?.length) {
    parameters.buttons = [];
    for (const button of mapping.buttons) {
      const value = valueOf(button.source, values);
      if (value === null) {
        const name = String(button.index + 1);
        problems.push({ code: 'VARIABLE_EMPTY', params: { part: 'button', name, ...sourceParams(button.source) }, text: `button ${name} has no value (${describe(button.source)} is empty and there is no fallback).` });
      }
      else parameters.buttons.push({ index: button.index, subType: button.subType, value });
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, parameters };
}

/** CSV columns a row must fill: those mapped with no fallback. */
export function requiredColumns(mapping: VariableMapping): string[] {
  const sources = [...(mapping.header ?? []), ...(mapping.body ?? [])].map((e) => e.source);
  if (mapping.headerMedia && 'source' in mapping.headerMedia) sources.push(mapping.headerMedia.source);
  for (const b of mapping.buttons ?? []) sources.push(b.source);
  return [...new Set(sources.flatMap((s) => (s.from === 'column' && s.fallback === undefined ? [s.column.toLowerCase()] : [])))];
}
