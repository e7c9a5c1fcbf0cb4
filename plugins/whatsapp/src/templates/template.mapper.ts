import {
  err,
  ok,
  type ChannelError,
  type ContentOf,
  type Result,
  type TemplateButton,
  type TemplateCategory,
  type TemplateComponents,
  type TemplateDefinition,
  type TemplateDraft,
  type TemplateHeader,
  type TemplateParameter,
} from '@obrol/contracts';
import { toGraphMedia } from '../graph-media.mapper.js';
import { asArray, asRecord, asString } from '../json-payload.reader.js';
import { normaliseLanguage } from '../webhook.parser.js';
import { distinctVariableNames } from './template-variables.js';

type Json = Record<string, unknown>;
type TemplateMessage = ContentOf<'template'>['template'];

const CATEGORIES = new Set<string>(['MARKETING', 'UTILITY', 'AUTHENTICATION']);

// ---------------------------------------------------------------- sending

/** The `template` object of a Graph send: name, language and the parameter components. */
export interface GraphTemplate {
  name: string;
  language: { code: string };
  components?: Json[];
}

/** Builds the Graph `template` object from Obrol's template message, or explains what is missing. */
export function toGraphTemplate(template: TemplateMessage): Result<GraphTemplate, ChannelError> {
  const components: Json[] = [];
  for (const section of ['header', 'body'] as const) {
    const params = template.parameters[section];
    if (!params || params.length === 0) continue;
    const parameters: Json[] = [];
    for (const [index, param] of params.entries()) {
      const mapped = toGraphParameter(param);
      if (!mapped) {
        return err({
          code: 'TEMPLATE_PARAMS_INVALID',
          message: `The ${section} media parameter ${index + 1} needs an uploaded media id or a public URL.`,
          retryable: false,
        });
      }
      parameters.push(mapped);
    }
    components.push({ type: section, parameters });
  }
  for (const button of template.parameters.buttons ?? []) {
    components.push({
      type: 'button',
      // OTP buttons are URL buttons once Meta stores an authentication template.
      sub_type: button.subType === 'otp' ? 'url' : button.subType,
      index: String(button.index),
      parameters: [buttonParameter(button.subType, button.value)],
    });
  }
  return ok({
    name: template.name,
    language: { code: normaliseLanguage(template.language) },
    ...(components.length > 0 ? { components } : {}),
  });
}

function buttonParameter(subType: 'quick_reply' | 'url' | 'copy_code' | 'otp', value: string): Json {
  switch (subType) {
    case 'quick_reply':
      return { type: 'payload', payload: value };
    case 'copy_code':
      return { type: 'coupon_code', coupon_code: value };
    case 'url':
    case 'otp':
      return { type: 'text', text: value };
  }
}

function toGraphParameter(param: TemplateParameter): Json | undefined {
  switch (param.type) {
    case 'text':
      return { type: 'text', ...(param.name ? { parameter_name: param.name } : {}), text: param.text };
    case 'currency':
      return {
        type: 'currency',
        ...(param.name ? { parameter_name: param.name } : {}),
        currency: { fallback_value: param.fallback, code: param.code, amount_1000: param.amount1000 },
      };
    case 'date_time':
      return { type: 'date_time', ...(param.name ? { parameter_name: param.name } : {}), date_time: { fallback_value: param.fallback } };
    case 'image':
    case 'video': {
      const media = toGraphMedia(param.media);
      return media ? { type: param.type, [param.type]: media } : undefined;
    }
    case 'document': {
      const media = toGraphMedia(param.media, { filename: param.filename });
      return media ? { type: 'document', document: media } : undefined;
    }
    case 'location':
      return {
        type: 'location',
        location: {
          latitude: param.latitude,
          longitude: param.longitude,
          ...(param.name ? { name: param.name } : {}),
          ...(param.address ? { address: param.address } : {}),
        },
      };
  }
}

// ---------------------------------------------------------------- creating

/** The body of `POST /{waba-id}/message_templates` for a draft, with Meta's example blocks. */
export function toMetaTemplateCreate(draft: TemplateDraft): Json {
  const named = draft.parameterFormat === 'named';
  const { header, body, footer, buttons } = draft.components;
  const components: Json[] = [];
  if (header) components.push(headerComponent(header, named));
  const bodyVars = distinctVariableNames(body.text);
  components.push({
    type: 'BODY',
    text: body.text,
    ...(bodyVars.length > 0 ? { example: named ? { body_text_named_params: namedExamples(bodyVars, body.examples) } : { body_text: [positionalExamples(bodyVars, body.examples)] } } : {}),
  });
  if (footer) components.push({ type: 'FOOTER', text: footer.text });
  if (buttons && buttons.length > 0) components.push({ type: 'BUTTONS', buttons: buttons.map(buttonDefinition) });
  return {
    name: draft.name,
    language: draft.language,
    category: draft.category,
    parameter_format: draft.parameterFormat,
    components,
  };
}

function headerComponent(header: TemplateHeader, named: boolean): Json {
  switch (header.format) {
    case 'TEXT': {
      const vars = distinctVariableNames(header.text);
      return {
        type: 'HEADER',
        format: 'TEXT',
        text: header.text,
        ...(vars.length > 0
          ? { example: named ? { header_text_named_params: namedExamples(vars, header.examples) } : { header_text: positionalExamples(vars, header.examples) } }
          : {}),
      };
    }
    case 'IMAGE':
    case 'VIDEO':
    case 'DOCUMENT':
      return { type: 'HEADER', format: header.format, ...(header.exampleUrl ? { example: { header_handle: [header.exampleUrl] } } : {}) };
    case 'LOCATION':
      return { type: 'HEADER', format: 'LOCATION' };
  }
}

function positionalExamples(vars: string[], examples: string[] | Record<string, string> | undefined): string[] {
  if (Array.isArray(examples)) return vars.map((_, i) => examples[i] ?? '');
  return vars.map((name) => examples?.[name] ?? '');
}

function namedExamples(vars: string[], examples: string[] | Record<string, string> | undefined): Json[] {
  return vars.map((name, i) => ({
    param_name: name,
    example: (Array.isArray(examples) ? examples[i] : examples?.[name]) ?? '',
  }));
}

function buttonDefinition(button: TemplateButton): Json {
  switch (button.type) {
    case 'QUICK_REPLY':
      return { type: 'QUICK_REPLY', text: button.text };
    case 'URL':
      return { type: 'URL', text: button.text, url: button.url, ...(button.example ? { example: [button.example] } : {}) };
    case 'PHONE_NUMBER':
      return { type: 'PHONE_NUMBER', text: button.text, phone_number: button.phoneNumber };
    case 'COPY_CODE':
      return { type: 'COPY_CODE', ...(button.example ? { example: button.example } : {}) };
    case 'OTP':
      return { type: 'OTP', otp_type: button.otpType, ...(button.text ? { text: button.text } : {}) };
  }
}

// ---------------------------------------------------------------- listing

/**
 * A template from `GET /{waba-id}/message_templates` as a TemplateDefinition. Button types
 * the contracts cannot express (FLOW, CATALOG, MPM, VOICE_CALL…) become quick replies with
 * their label, so the indexes of the other buttons stay right for sends.
 */
export function fromMetaTemplate(raw: unknown): TemplateDefinition | undefined {
  const t = asRecord(raw);
  const name = asString(t?.['name']);
  if (!t || !name) return undefined;
  const parameterFormat = asString(t['parameter_format'])?.toLowerCase() === 'named' ? 'named' : 'positional';
  const category = asString(t['category'])?.toUpperCase() ?? '';
  const rejected = asString(t['rejected_reason']);
  const qualityRaw = t['quality_score'];
  const quality = asString(qualityRaw) ?? asString(asRecord(qualityRaw)?.['score']);
  const externalId = asString(t['id']);
  return {
    name,
    language: normaliseLanguage(asString(t['language']) ?? ''),
    category: (CATEGORIES.has(category) ? category : 'MARKETING') as TemplateCategory,
    parameterFormat,
    components: componentsOf(asArray(t['components'])),
    ...(externalId ? { externalId } : {}),
    status: asString(t['status']) ?? 'UNKNOWN',
    rejectionReason: rejected && rejected !== 'NONE' ? rejected : null,
    quality: quality ?? null,
  };
}

function componentsOf(raw: unknown[]): TemplateComponents {
  const components: TemplateComponents = { body: { text: '' } };
  for (const item of raw) {
    const c = asRecord(item);
    const type = asString(c?.['type'])?.toUpperCase();
    if (!c || !type) continue;
    const example = asRecord(c['example']);
    if (type === 'HEADER') {
      const header = headerOf(c, example);
      if (header) components.header = header;
    } else if (type === 'BODY') {
      const examples = bodyExamplesOf(example);
      components.body = { text: asString(c['text']) ?? '', ...(examples ? { examples } : {}) };
    } else if (type === 'FOOTER') {
      const text = asString(c['text']);
      if (text) components.footer = { text };
    } else if (type === 'BUTTONS') {
      components.buttons = asArray(c['buttons']).map(asRecord).flatMap((b) => (b ? [buttonOf(b)] : []));
    }
  }
  return components;
}

function headerOf(c: Json, example: Json | undefined): TemplateHeader | undefined {
  const format = asString(c['format'])?.toUpperCase();
  if (format === 'TEXT') {
    const namedExamples = namedExamplesOf(example?.['header_text_named_params']);
    const positional = asArray(example?.['header_text']).map(asString).filter((s): s is string => s !== undefined);
    const examples = namedExamples ?? (positional.length > 0 ? positional : undefined);
    return { format: 'TEXT', text: asString(c['text']) ?? '', ...(examples ? { examples } : {}) };
  }
  if (format === 'IMAGE' || format === 'VIDEO' || format === 'DOCUMENT') {
    const exampleUrl = asString(asArray(example?.['header_handle'])[0]) ?? asString(asArray(example?.['header_url'])[0]);
    return { format, ...(exampleUrl ? { exampleUrl } : {}) };
  }
  if (format === 'LOCATION') return { format: 'LOCATION' };
  return undefined;
}

function bodyExamplesOf(example: Json | undefined): string[] | Record<string, string> | undefined {
  const named = namedExamplesOf(example?.['body_text_named_params']);
  if (named) return named;
  const positional = asArray(asArray(example?.['body_text'])[0]).map(asString).filter((s): s is string => s !== undefined);
  return positional.length > 0 ? positional : undefined;
}

function namedExamplesOf(value: unknown): Record<string, string> | undefined {
  const entries = asArray(value).map(asRecord).flatMap((p) => {
    const name = asString(p?.['param_name']);
    return name ? [[name, asString(p?.['example']) ?? ''] as const] : [];
  });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function buttonOf(b: Json): TemplateButton {
  const type = asString(b['type'])?.toUpperCase();
  const text = asString(b['text']) ?? '';
  switch (type) {
    case 'QUICK_REPLY':
      return { type: 'QUICK_REPLY', text };
    case 'URL': {
      const example = asString(asArray(b['example'])[0]) ?? asString(b['example']);
      return { type: 'URL', text, url: asString(b['url']) ?? '', ...(example ? { example } : {}) };
    }
    case 'PHONE_NUMBER':
      return { type: 'PHONE_NUMBER', text, phoneNumber: asString(b['phone_number']) ?? '' };
    case 'COPY_CODE': {
      const example = asString(asArray(b['example'])[0]) ?? asString(b['example']);
      return { type: 'COPY_CODE', ...(example ? { example } : {}) };
    }
    case 'OTP': {
      const otpType = asString(b['otp_type'])?.toUpperCase();
      return {
        type: 'OTP',
        otpType: otpType === 'ONE_TAP' || otpType === 'ZERO_TAP' ? otpType : 'COPY_CODE',
        ...(text ? { text } : {}),
      };
    }
    default:
      return { type: 'QUICK_REPLY', text: text || (type ?? 'button') };
  }
}
