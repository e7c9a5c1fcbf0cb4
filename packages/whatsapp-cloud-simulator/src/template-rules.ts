import { fail, graphError, ok, type Checked, type GraphError } from './graph-error.js';

/** A template component in Meta's definition format (upper-case `type`). */
export interface TemplateComponentDefinition {
  type: string;
  format?: string;
  text?: string;
  buttons?: Array<{ type: string; text?: string; url?: string; phone_number?: string; example?: unknown }>;
  example?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The validated, normalised content of a template creation request. */
export interface TemplateDefinition {
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  parameter_format: 'POSITIONAL' | 'NAMED';
  components: TemplateComponentDefinition[];
}

/** A template send rendered to what the customer would see. */
export interface RenderedTemplate {
  header?: string;
  body: string;
  footer?: string;
  buttons: Array<{ type: string; text: string; payload?: string }>;
}

const VARIABLE = /\{\{\s*([^{}\s]*)\s*\}\}/g;
const CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
const HEADER_FORMATS = ['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION', 'GIF'];
const BUTTON_TYPES = ['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'COPY_CODE', 'OTP', 'VOICE_CALL', 'MPM', 'SPM', 'CATALOG', 'FLOW'];

/** Variable names in order of first appearance: `["1","2"]` or `["first_name"]`. */
export function variablesOf(text: string | undefined): string[] {
  const names: string[] = [];
  for (const match of (text ?? '').matchAll(VARIABLE)) if (!names.includes(match[1]!)) names.push(match[1]!);
  return names;
}

const invalid = (details: string, subcode?: number): GraphError => graphError(100, details, subcode);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The file type behind a header sample handle this simulator issued, or undefined for any other string. */
export type SampleTypeOf = (handle: string) => string | undefined;

/** The sample file types each media header format takes. */
const SAMPLE_TYPES: Record<string, RegExp> = { IMAGE: /^image\/(jpeg|jpg|png)$/, VIDEO: /^video\/mp4$/, DOCUMENT: /^application\/pdf$/, GIF: /^video\/mp4$/ };

/**
 * Checks a creation request the way Meta does before accepting it as PENDING (→ error 100).
 * With `sampleTypeOf`, a media header's handle must be an uploaded file of a fitting type.
 */
export function validateTemplateDefinition(input: unknown, sampleTypeOf?: SampleTypeOf): Checked<TemplateDefinition> {
  if (!isRecord(input)) return fail(invalid('The request body must be a JSON object.'));
  const { name, language, category, components } = input;
  if (typeof name !== 'string' || !/^[a-z0-9_]{1,512}$/.test(name))
    return fail(invalid('Param name must be at most 512 characters, using only lowercase letters, numbers and underscores.'));
  if (typeof language !== 'string' || !/^[a-z]{2,3}(_[A-Z]{2})?$/.test(language))
    return fail(invalid(`Param language must be a supported language code such as en_US or id (got ${JSON.stringify(language)}).`));
  const upperCategory = typeof category === 'string' ? category.toUpperCase() : '';
  if (!(CATEGORIES as readonly string[]).includes(upperCategory))
    return fail(invalid('Param category must be one of {MARKETING, UTILITY, AUTHENTICATION}.'));
  const format = typeof input.parameter_format === 'string' ? input.parameter_format.toUpperCase() : 'POSITIONAL';
  if (format !== 'POSITIONAL' && format !== 'NAMED') return fail(invalid('Param parameter_format must be one of {NAMED, POSITIONAL}.'));
  if (!Array.isArray(components) || components.length === 0) return fail(invalid('Param components must be a non-empty array.'));

  const normalised: TemplateComponentDefinition[] = [];
  for (const component of components) {
    if (!isRecord(component) || typeof component.type !== 'string') return fail(invalid('Each component must be an object with a type.'));
    normalised.push({ ...component, type: component.type.toUpperCase() } as TemplateComponentDefinition);
  }
  const definition: TemplateDefinition = {
    name,
    language,
    category: upperCategory as TemplateDefinition['category'],
    parameter_format: format,
    components: normalised,
  };
  const problem = checkComponents(definition, sampleTypeOf);
  return problem ? fail(problem) : ok(definition);
}

function checkComponents(definition: TemplateDefinition, sampleTypeOf: SampleTypeOf | undefined): GraphError | undefined {
  const byType = (type: string) => definition.components.filter((component) => component.type === type);
  for (const component of definition.components)
    if (!['HEADER', 'BODY', 'FOOTER', 'BUTTONS'].includes(component.type))
      return invalid(`Component type ${component.type} is not one of {HEADER, BODY, FOOTER, BUTTONS}.`);
  const bodies = byType('BODY');
  if (bodies.length !== 1) return invalid('A template must have exactly one BODY component.');
  if (byType('HEADER').length > 1 || byType('FOOTER').length > 1 || byType('BUTTONS').length > 1)
    return invalid('A template can have at most one HEADER, one FOOTER and one BUTTONS component.');

  const body = bodies[0]!;
  const isAuthentication = definition.category === 'AUTHENTICATION';
  if (!isAuthentication || body.text !== undefined) {
    if (typeof body.text !== 'string' || body.text.trim() === '') return invalid('Param components[BODY].text is required.');
    if (body.text.length > 1024) return graphError(100, 'The BODY text is longer than 1024 characters.', 2388040);
    const problem = checkVariables(definition, body.text, 'BODY', 'body_text', 'body_text_named_params', body.example);
    if (problem) return problem;
    const trimmed = body.text.trim();
    if (/^\{\{[^{}]*\}\}/.test(trimmed) || /\{\{[^{}]*\}\}[.!?]?$/.test(trimmed))
      return graphError(100, 'Leading or trailing parameters are not allowed in the BODY.', 2388299);
  }

  const header = byType('HEADER')[0];
  if (header) {
    const format = String(header.format ?? '').toUpperCase();
    if (!HEADER_FORMATS.includes(format)) return invalid(`HEADER format must be one of {${HEADER_FORMATS.join(', ')}}.`);
    if (format === 'TEXT') {
      if (typeof header.text !== 'string' || header.text === '') return invalid('Param components[HEADER].text is required for a TEXT header.');
      if (header.text.length > 60) return graphError(100, 'The HEADER text is longer than 60 characters.', 2388040);
      if (variablesOf(header.text).length > 1) return graphError(100, 'A TEXT header can have at most one parameter.', 2388047);
      const problem = checkVariables(definition, header.text, 'HEADER', 'header_text', 'header_text_named_params', header.example);
      if (problem) return problem;
    } else if (['IMAGE', 'VIDEO', 'DOCUMENT', 'GIF'].includes(format)) {
      const handles = header.example?.header_handle;
      if (!Array.isArray(handles) || handles.length === 0)
        return invalid(`A ${format} header needs a sample: example.header_handle from the Resumable Upload API.`);
      if (sampleTypeOf) {
        const type = typeof handles[0] === 'string' ? sampleTypeOf(handles[0]) : undefined;
        if (!type) return invalid(`example.header_handle of the ${format} header is not a file handle from the Resumable Upload API; upload the sample first.`);
        if (!SAMPLE_TYPES[format]?.test(type)) return invalid(`The ${format} header's sample is a ${type} file, which does not fit a ${format} header.`);
      }
    }
  }

  const footer = byType('FOOTER')[0];
  if (footer) {
    if (typeof footer.text !== 'string' && !isAuthentication) return invalid('Param components[FOOTER].text is required.');
    if (typeof footer.text === 'string' && footer.text.length > 60) return graphError(100, 'The FOOTER text is longer than 60 characters.', 2388073);
    if (variablesOf(footer.text).length > 0) return graphError(100, 'The FOOTER cannot contain parameters.', 2388073);
  }

  const buttonsComponent = byType('BUTTONS')[0];
  if (buttonsComponent) return checkButtons(buttonsComponent.buttons);
  return undefined;
}

function checkVariables(
  definition: TemplateDefinition,
  text: string,
  where: string,
  positionalKey: string,
  namedKey: string,
  example: Record<string, unknown> | undefined,
): GraphError | undefined {
  const names = variablesOf(text);
  if (names.length === 0) return undefined;
  if ((text.match(/\{\{/g) ?? []).length !== (text.match(/\}\}/g) ?? []).length)
    return invalid(`The ${where} text has mismatched curly braces.`);
  if (definition.parameter_format === 'POSITIONAL') {
    if (!names.every((name) => /^[1-9][0-9]*$/.test(name)))
      return invalid(`The ${where} uses parameters ${names.map((n) => `{{${n}}}`).join(', ')}; positional templates use {{1}}, {{2}}…, or set parameter_format to NAMED.`);
    const sorted = names.map(Number).sort((a, b) => a - b);
    if (sorted.some((value, index) => value !== index + 1))
      return invalid(`The ${where} parameters must be sequential, starting at {{1}}.`);
    const samples = example?.[positionalKey];
    const firstRow = where === 'BODY' ? (Array.isArray(samples) ? samples[0] : undefined) : samples;
    if (!Array.isArray(firstRow) || firstRow.length !== names.length)
      return invalid(`The ${where} has ${names.length} parameter(s) and needs as many sample values in example.${positionalKey}.`);
    return undefined;
  }
  if (!names.every((name) => /^[a-z_][a-z0-9_]*$/.test(name)))
    return invalid(`Named parameters in the ${where} must be lowercase letters, numbers and underscores (got ${names.join(', ')}).`);
  const samples = example?.[namedKey];
  const given = Array.isArray(samples) ? samples.filter(isRecord).map((sample) => sample.param_name) : [];
  const missing = names.filter((name) => !given.includes(name));
  if (missing.length > 0) return invalid(`The ${where} needs a sample for each named parameter in example.${namedKey}; missing: ${missing.join(', ')}.`);
  return undefined;
}

function checkButtons(buttons: TemplateComponentDefinition['buttons']): GraphError | undefined {
  if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > 10) return invalid('BUTTONS must have between 1 and 10 buttons.');
  const count = (type: string) => buttons.filter((button) => String(button.type).toUpperCase() === type).length;
  for (const button of buttons) {
    const type = String(button.type).toUpperCase();
    if (!BUTTON_TYPES.includes(type)) return invalid(`Button type ${button.type} is not supported.`);
    if (['QUICK_REPLY', 'URL', 'PHONE_NUMBER'].includes(type) && (typeof button.text !== 'string' || button.text.length === 0 || button.text.length > 25))
      return invalid(`Button text must be between 1 and 25 characters (${type}).`);
    if (type === 'URL') {
      if (typeof button.url !== 'string' || button.url.length > 2000) return invalid('A URL button needs a url of at most 2000 characters.');
      const variables = variablesOf(button.url);
      if (variables.length > 1 || (variables.length === 1 && !/\{\{[^{}]*\}\}$/.test(button.url)))
        return invalid('A URL button can have one parameter, at the end of the url.');
      if (variables.length === 1 && (!Array.isArray(button.example) || button.example.length === 0))
        return invalid('A URL button with a parameter needs a sample in example.');
    }
    if (type === 'PHONE_NUMBER' && (typeof button.phone_number !== 'string' || button.phone_number.length > 20))
      return invalid('A PHONE_NUMBER button needs a phone_number of at most 20 characters.');
  }
  if (count('URL') > 2) return invalid('A template can have at most 2 URL buttons.');
  if (count('PHONE_NUMBER') > 1) return invalid('A template can have at most 1 PHONE_NUMBER button.');
  if (count('COPY_CODE') > 1) return invalid('A template can have at most 1 COPY_CODE button.');
  const kinds = buttons.map((button) => String(button.type).toUpperCase() === 'QUICK_REPLY');
  const groups = kinds.filter((kind, index) => index === 0 || kind !== kinds[index - 1]).length;
  if (groups > 2) return invalid('Quick reply buttons must be grouped together, before or after the other buttons.');
  return undefined;
}

/** True when the review would reject for parameters placed next to each other. */
export function hasAdjacentParameters(definition: TemplateDefinition): boolean {
  return definition.components.some((component) => /\}\}\s*\{\{/.test(component.text ?? ''));
}

interface SendParameter {
  type?: string;
  text?: string;
  parameter_name?: string;
  payload?: string;
  coupon_code?: string;
  currency?: { fallback_value?: string };
  date_time?: { fallback_value?: string };
  [key: string]: unknown;
}

interface SendComponent {
  type?: string;
  sub_type?: string;
  index?: string | number;
  parameters?: SendParameter[];
}

const mismatch = (details: string) => fail<never>(graphError(132000, details));
const badFormat = (details: string) => fail<never>(graphError(132012, details));

/**
 * Checks the `components` of a template send against the definition (→ 132000 for counts,
 * 132012 for names and types) and renders what the customer sees.
 */
export function checkTemplateSend(definition: TemplateDefinition, sendComponents: unknown): Checked<RenderedTemplate> {
  if (sendComponents !== undefined && !Array.isArray(sendComponents)) return fail(graphError(100, 'Param template[components] must be an array.'));
  const given = ((sendComponents ?? []) as unknown[]).filter(isRecord) as SendComponent[];
  const find = (type: string) => definition.components.find((component) => component.type === type);
  const givenOf = (type: string) => given.filter((component) => String(component.type).toLowerCase() === type);
  const named = definition.parameter_format === 'NAMED';

  for (const component of given)
    if (!['header', 'body', 'button'].includes(String(component.type).toLowerCase()))
      return badFormat(`Component type ${String(component.type)} is not one of header, body, button.`);

  const rendered: RenderedTemplate = { body: '', buttons: [] };
  const header = find('HEADER');
  const headerGiven = givenOf('header')[0]?.parameters ?? [];
  const headerFormat = String(header?.format ?? '').toUpperCase();
  if (!header || headerFormat === 'TEXT') {
    const result = fillText(header?.text, headerGiven, named, 'header');
    if (!result.ok) return result;
    if (header) rendered.header = result.value;
  } else {
    const expected = headerFormat.toLowerCase();
    if (headerGiven.length !== 1) return mismatch(`header: expected 1 ${expected} parameter, received ${headerGiven.length}.`);
    const parameter = headerGiven[0]!;
    if (parameter.type !== expected) return badFormat(`header: expected a parameter of type ${expected}, received ${String(parameter.type)}.`);
    const media = parameter[expected];
    if (expected !== 'location' && (!isRecord(media) || (typeof media.id !== 'string' && typeof media.link !== 'string')))
      return badFormat(`header: the ${expected} parameter needs an id or a link.`);
    rendered.header = `[${expected}]`;
  }

  const bodyResult = fillText(find('BODY')?.text, givenOf('body')[0]?.parameters ?? [], named, 'body');
  if (!bodyResult.ok) return bodyResult;
  rendered.body = bodyResult.value;
  const footer = find('FOOTER');
  if (typeof footer?.text === 'string') rendered.footer = footer.text;

  const buttons = find('BUTTONS')?.buttons ?? [];
  const givenButtons = givenOf('button');
  for (const component of givenButtons) {
    const index = Number(component.index);
    const button = buttons[index];
    if (!button) return mismatch(`button index ${String(component.index)}: the template has no such button.`);
    const subType = String(component.sub_type ?? '').toLowerCase();
    if (subType !== String(button.type).toLowerCase() && !(subType === 'url' && String(button.type).toUpperCase() === 'OTP'))
      return badFormat(`button index ${index}: sub_type ${subType} does not match the template's ${button.type} button.`);
  }
  for (const [index, button] of buttons.entries()) {
    const type = String(button.type).toUpperCase();
    const parameters = givenButtons.find((component) => Number(component.index) === index)?.parameters ?? [];
    if (type === 'URL' && variablesOf(button.url).length === 1) {
      if (parameters.length !== 1) return mismatch(`button index ${index}: the URL button needs 1 text parameter, received ${parameters.length}.`);
      if (parameters[0]!.type !== 'text' || typeof parameters[0]!.text !== 'string') return badFormat(`button index ${index}: the URL parameter must be text.`);
    }
    if (type === 'COPY_CODE' && (parameters.length !== 1 || typeof parameters[0]!.coupon_code !== 'string'))
      return mismatch(`button index ${index}: the COPY_CODE button needs 1 coupon_code parameter.`);
    const payload = type === 'QUICK_REPLY' ? parameters.find((parameter) => parameter.type === 'payload')?.payload : undefined;
    rendered.buttons.push({ type, text: button.text ?? type, ...(payload === undefined ? {} : { payload }) });
  }
  return ok(rendered);
}

function fillText(text: string | undefined, parameters: SendParameter[], named: boolean, where: string): Checked<string> {
  const names = variablesOf(text);
  if (parameters.length !== names.length)
    return mismatch(`${where}: expected ${names.length} parameter(s), received ${parameters.length}.`);
  const values = new Map<string, string>();
  for (const [index, parameter] of parameters.entries()) {
    const value = parameterText(parameter);
    if (value === undefined) return badFormat(`${where}: parameter ${index + 1} of type ${String(parameter.type)} is not text, currency or date_time.`);
    if (named) {
      if (typeof parameter.parameter_name !== 'string') return badFormat(`${where}: parameter ${index + 1} needs a parameter_name (the template uses named parameters).`);
      if (!names.includes(parameter.parameter_name)) return badFormat(`${where}: the template has no parameter named ${parameter.parameter_name}.`);
      values.set(parameter.parameter_name, value);
    } else {
      values.set(String(index + 1), value);
    }
  }
  if (named && values.size !== names.length) return badFormat(`${where}: each named parameter must be given once.`);
  return ok((text ?? '').replace(VARIABLE, (_, name: string) => values.get(name) ?? ''));
}

function parameterText(parameter: SendParameter): string | undefined {
  if (parameter.type === 'text') return typeof parameter.text === 'string' && parameter.text !== '' ? parameter.text : undefined;
  if (parameter.type === 'currency') return parameter.currency?.fallback_value;
  if (parameter.type === 'date_time') return parameter.date_time?.fallback_value;
  return undefined;
}
