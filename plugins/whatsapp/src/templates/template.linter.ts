import type { TemplateButton, TemplateDraft, TemplateProblem } from '@obrol/contracts';
import { findVariables, hasStrayBraces, type TemplateVariable } from './template-variables.js';

/** Meta's template limits (MD/templates/overview, /components). */
export const TEMPLATE_LIMITS = {
  nameLength: 512,
  headerTextLength: 60,
  headerVariables: 1,
  bodyLength: 1024,
  footerLength: 60,
  buttons: 10,
  urlButtons: 2,
  phoneButtons: 1,
  copyCodeButtons: 1,
  buttonTextLength: 25,
  urlLength: 2000,
  phoneNumberLength: 20,
  copyCodeExampleLength: 15,
  /** Meta rejects more consecutive line breaks than this in the body. */
  bodyConsecutiveNewlines: 4,
} as const;

const NAME = /^[a-z0-9_]+$/;
const LANGUAGE = /^[a-z]{2,3}(_[A-Z]{2})?$/;
const EMOJI = /\p{Extended_Pictographic}/u;
const MARKDOWN = /[*_~`]/;
const URL_IN_TEXT = /\bhttps?:\/\/|\bwww\./i;

/**
 * Every rule the linter can report. Apps translate a problem by its rule id, filling in its
 * `params`; the English `message` is the fallback for a rule they do not know.
 */
export const TEMPLATE_LINT_RULES = [
  'name.format', 'name.length', 'language.format',
  'variables.braces', 'variables.malformed', 'variables.mixed', 'variables.format-mismatch', 'variables.sequence', 'examples.required',
  'header.length', 'header.variables', 'header.newline', 'header.emoji', 'header.formatting', 'header.example-required',
  'body.required', 'body.length', 'body.dangling-variable', 'body.adjacent-variables', 'body.newlines', 'body.variable-alone-on-line', 'body.variable-density',
  'footer.length', 'footer.variables',
  'buttons.count', 'buttons.url-count', 'buttons.phone-count', 'buttons.copy-code-count', 'buttons.grouping', 'buttons.text-length',
  'buttons.url-length', 'buttons.url-format', 'buttons.url-variable-position', 'buttons.url-example-required', 'buttons.phone-format',
  'buttons.copy-code-example', 'buttons.copy-code-example-length',
  'auth.otp-button', 'auth.other-buttons', 'auth.no-header', 'auth.no-url', 'auth.no-emoji', 'otp.category',
] as const;
export type TemplateLintRule = (typeof TEMPLATE_LINT_RULES)[number];

type Report = (path: string, rule: TemplateLintRule, message: string, params?: TemplateProblem['params']) => void;

/**
 * Finds the common reasons Meta rejects a template (MD/templates §4.2–4.5) before it is
 * submitted: one problem per issue, each with a path, a stable rule id and a sentence saying
 * how to fix it. An empty list means the draft looks fine (Meta's review may still refuse it).
 */
export function lintTemplate(draft: TemplateDraft): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const report: Report = (path, rule, message, params) => problems.push({ path, rule, message, ...(params ? { params } : {}) });

  lintName(draft.name, report);
  if (!LANGUAGE.test(draft.language)) {
    report('language', 'language.format', `"${draft.language}" is not a WhatsApp language code; use forms such as en, en_US or pt_BR (underscore, region in capitals).`, { language: draft.language });
  }
  lintVariables(draft, report);
  lintHeader(draft, report);
  lintBody(draft, report);
  lintFooter(draft, report);
  lintButtons(draft, report);
  if (draft.category === 'AUTHENTICATION') lintAuthentication(draft, report);
  else lintOtpOutsideAuthentication(draft.components.buttons ?? [], report);
  return problems;
}

function lintName(name: string, report: Report): void {
  if (!NAME.test(name)) {
    report('name', 'name.format', `The name "${name}" may only contain lower-case letters a–z, digits 0–9 and underscores (e.g. order_update).`, { name });
  }
  if (name.length > TEMPLATE_LIMITS.nameLength) {
    report('name', 'name.length', `The name is ${name.length} characters long; WhatsApp allows at most ${TEMPLATE_LIMITS.nameLength}.`, { length: name.length, max: TEMPLATE_LIMITS.nameLength });
  }
}

/** Variables of header and body together: format, braces, sequence and examples. */
function lintVariables(draft: TemplateDraft, report: Report): void {
  const texts: { path: string; text: string; examples: string[] | Record<string, string> | undefined }[] = [];
  const { header, body } = draft.components;
  if (header?.format === 'TEXT') texts.push({ path: 'components.header', text: header.text, examples: header.examples });
  texts.push({ path: 'components.body', text: body.text, examples: body.examples });

  const all = texts.flatMap(({ path, text }) => findVariables(text).map((v) => ({ path, v })));
  for (const { path, text } of texts) {
    if (hasStrayBraces(text)) {
      report(`${path}.text`, 'variables.braces', 'A variable has missing or extra curly braces; write variables as {{1}} or {{first_name}}.');
    }
  }
  for (const { path, v } of all) {
    if (v.kind === 'malformed') {
      report(`${path}.text`, 'variables.malformed', `"{{${v.name}}}" is not a valid variable; use {{1}}, {{2}}… or lower-case snake_case names such as {{first_name}}.`, { variable: `{{${v.name}}}` });
    }
  }
  const kinds = new Set(all.map(({ v }) => v.kind).filter((k) => k !== 'malformed'));
  if (kinds.size > 1) {
    report('components', 'variables.mixed', 'The template mixes numbered ({{1}}) and named ({{first_name}}) variables; use one kind only.');
  } else if (kinds.size === 1) {
    const used = [...kinds][0];
    if (used !== draft.parameterFormat) {
      report('parameterFormat', 'variables.format-mismatch', `The template uses ${used} variables but its parameter format is "${draft.parameterFormat}"; make them agree.`, { used, format: draft.parameterFormat });
    }
  }
  for (const { path, text, examples } of texts) {
    const vars = findVariables(text).filter((v) => v.kind !== 'malformed');
    if (vars.length === 0) continue;
    if (vars[0]?.kind === 'positional') lintSequence(path, vars, report);
    lintExamples(path, vars, examples, report);
  }
}

function lintSequence(path: string, vars: TemplateVariable[], report: Report): void {
  const order = [...new Set(vars.map((v) => Number(v.name)))];
  const expected = order.map((_, i) => i + 1);
  if (order.some((n, i) => n !== expected[i])) {
    report(`${path}.text`, 'variables.sequence', `Numbered variables must start at {{1}} and count up without gaps in the order they appear (found ${order.map((n) => `{{${n}}}`).join(', ')}).`, { found: order.map((n) => `{{${n}}}`).join(', ') });
  }
}

function lintExamples(path: string, vars: TemplateVariable[], examples: string[] | Record<string, string> | undefined, report: Report): void {
  const names = [...new Set(vars.map((v) => v.name))];
  const missing = names.filter((name, i) => {
    const value = Array.isArray(examples) ? examples[i] : examples?.[name];
    return value === undefined || value.trim() === '';
  });
  if (missing.length > 0) {
    report(`${path}.examples`, 'examples.required', `Give an example value for every variable; missing for ${missing.map((n) => `{{${n}}}`).join(', ')}.`, { variables: missing.map((n) => `{{${n}}}`).join(', ') });
  }
}

function lintHeader(draft: TemplateDraft, report: Report): void {
  const header = draft.components.header;
  if (!header) return;
  if (header.format === 'TEXT') {
    if (header.text.length > TEMPLATE_LIMITS.headerTextLength) {
      report('components.header.text', 'header.length', `The header is ${header.text.length} characters long; WhatsApp allows at most ${TEMPLATE_LIMITS.headerTextLength}.`, { length: header.text.length, max: TEMPLATE_LIMITS.headerTextLength });
    }
    if (findVariables(header.text).length > TEMPLATE_LIMITS.headerVariables) {
      report('components.header.text', 'header.variables', 'A text header may contain at most one variable.');
    }
    if (/[\r\n]/.test(header.text)) report('components.header.text', 'header.newline', 'The header must be a single line; remove the line breaks.');
    if (EMOJI.test(header.text)) report('components.header.text', 'header.emoji', 'The header must not contain emoji; move them to the body.');
    if (MARKDOWN.test(header.text.replace(/\{\{[^{}]*\}\}/g, ''))) {
      report('components.header.text', 'header.formatting', 'The header cannot use formatting characters (* _ ~ `); remove them.');
    }
  } else if (header.format !== 'LOCATION' && !header.exampleUrl) {
    report('components.header.exampleUrl', 'header.example-required', `A ${header.format.toLowerCase()} header needs a sample media file (a handle from Meta's upload API).`, { format: header.format.toLowerCase() });
  }
}

function lintBody(draft: TemplateDraft, report: Report): void {
  const text = draft.components.body.text;
  const path = 'components.body.text';
  if (text.trim() === '') {
    report(path, 'body.required', 'The body is required; write the message text.');
    return;
  }
  if (text.length > TEMPLATE_LIMITS.bodyLength) {
    report(path, 'body.length', `The body is ${text.length} characters long; WhatsApp allows at most ${TEMPLATE_LIMITS.bodyLength}.`, { length: text.length, max: TEMPLATE_LIMITS.bodyLength });
  }
  const trimmed = text.trim();
  // Authentication bodies are Meta's preset text ("{{1}} is your verification code."): exempt.
  const presetBody = draft.category === 'AUTHENTICATION';
  if (!presetBody && (/^\{\{[^{}]*\}\}/.test(trimmed) || /\{\{[^{}]*\}\}$/.test(trimmed))) {
    report(path, 'body.dangling-variable', 'The body must not start or end with a variable; add words before the first and after the last one.');
  }
  if (/\}\}\s*\{\{/.test(text)) {
    report(path, 'body.adjacent-variables', 'Two variables stand next to each other (like {{1}}{{2}}); put words or punctuation between them.');
  }
  if (new RegExp(`(\\r?\\n){${TEMPLATE_LIMITS.bodyConsecutiveNewlines + 1},}`).test(text)) {
    report(path, 'body.newlines', `The body has more than ${TEMPLATE_LIMITS.bodyConsecutiveNewlines} line breaks in a row; remove the extra empty lines.`, { max: TEMPLATE_LIMITS.bodyConsecutiveNewlines });
  }
  if (text.split(/\r?\n/).some((line) => /^\s*\{\{[^{}]*\}\}\s*$/.test(line)) && text.includes('\n')) {
    report(path, 'body.variable-alone-on-line', 'A variable stands alone on its own line; add words around it on that line.');
  }
  const variables = findVariables(text).length;
  const words = text
    .replace(/\{\{[^{}]*\}\}/g, ' ')
    .split(/\s+/)
    .filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
  // Meta's rule (2388293) is unpublished; fewer than two words per variable is reliably refused.
  if (!presetBody && variables > 0 && words < variables * 2) {
    report(path, 'body.variable-density', `The body has ${variables} variables for only ${words} words; add text or use fewer variables.`, { variables, words });
  }
}

function lintFooter(draft: TemplateDraft, report: Report): void {
  const footer = draft.components.footer;
  if (!footer) return;
  if (footer.text.length > TEMPLATE_LIMITS.footerLength) {
    report('components.footer.text', 'footer.length', `The footer is ${footer.text.length} characters long; WhatsApp allows at most ${TEMPLATE_LIMITS.footerLength}.`, { length: footer.text.length, max: TEMPLATE_LIMITS.footerLength });
  }
  if (/\{\{|\}\}/.test(footer.text)) {
    report('components.footer.text', 'footer.variables', 'The footer cannot contain variables; move them to the body.');
  }
}

function lintButtons(draft: TemplateDraft, report: Report): void {
  const buttons = draft.components.buttons ?? [];
  if (buttons.length > TEMPLATE_LIMITS.buttons) {
    report('components.buttons', 'buttons.count', `The template has ${buttons.length} buttons; WhatsApp allows at most ${TEMPLATE_LIMITS.buttons}.`, { count: buttons.length, max: TEMPLATE_LIMITS.buttons });
  }
  const count = (type: TemplateButton['type']) => buttons.filter((b) => b.type === type).length;
  if (count('URL') > TEMPLATE_LIMITS.urlButtons) {
    report('components.buttons', 'buttons.url-count', `The template has ${count('URL')} website buttons; WhatsApp allows at most ${TEMPLATE_LIMITS.urlButtons}.`, { count: count('URL'), max: TEMPLATE_LIMITS.urlButtons });
  }
  if (count('PHONE_NUMBER') > TEMPLATE_LIMITS.phoneButtons) {
    report('components.buttons', 'buttons.phone-count', 'The template may have only one phone-number button.');
  }
  if (count('COPY_CODE') > TEMPLATE_LIMITS.copyCodeButtons) {
    report('components.buttons', 'buttons.copy-code-count', 'The template may have only one copy-code button.');
  }
  const quickReplies = buttons.map((b, i) => (b.type === 'QUICK_REPLY' ? i : -1)).filter((i) => i >= 0);
  if (quickReplies.length > 0 && quickReplies[quickReplies.length - 1]! - quickReplies[0]! + 1 !== quickReplies.length) {
    report('components.buttons', 'buttons.grouping', 'Quick-reply buttons must be grouped together, before or after the other buttons.');
  }
  buttons.forEach((button, i) => lintButton(button, `components.buttons[${i}]`, report));
}

function lintButton(button: TemplateButton, path: string, report: Report): void {
  if ('text' in button && button.text !== undefined && button.text.length > TEMPLATE_LIMITS.buttonTextLength) {
    report(`${path}.text`, 'buttons.text-length', `The button label "${button.text}" is ${button.text.length} characters long; WhatsApp allows at most ${TEMPLATE_LIMITS.buttonTextLength}.`, { text: button.text, length: button.text.length, max: TEMPLATE_LIMITS.buttonTextLength });
  }
  if (button.type === 'URL') {
    const vars = findVariables(button.url);
    if (button.url.length > TEMPLATE_LIMITS.urlLength) {
      report(`${path}.url`, 'buttons.url-length', `The button URL is longer than ${TEMPLATE_LIMITS.urlLength} characters.`, { max: TEMPLATE_LIMITS.urlLength });
    }
    if (!/^https?:\/\//.test(button.url)) {
      report(`${path}.url`, 'buttons.url-format', 'The button URL must start with https:// (or http://).');
    }
    if (vars.length > 1 || (vars.length === 1 && vars[0]!.end !== button.url.length)) {
      report(`${path}.url`, 'buttons.url-variable-position', 'A website button may have one variable, and only at the very end of the URL (e.g. https://shop.example/track/{{1}}).');
    }
    if (vars.length > 0 && !button.example?.trim()) {
      report(`${path}.example`, 'buttons.url-example-required', 'A website button with a variable needs an example value for it.');
    }
  }
  if (button.type === 'PHONE_NUMBER' && !/^\+?\d{4,19}$/.test(button.phoneNumber.replace(/[\s()-]/g, ''))) {
    report(`${path}.phoneNumber`, 'buttons.phone-format', 'The phone number must be an international number of at most 20 characters, e.g. +15550783881.');
  }
  if (button.type === 'COPY_CODE') {
    if (!button.example?.trim()) report(`${path}.example`, 'buttons.copy-code-example', 'A copy-code button needs an example code.');
    else if (button.example.length > TEMPLATE_LIMITS.copyCodeExampleLength) {
      report(`${path}.example`, 'buttons.copy-code-example-length', `The example code is longer than ${TEMPLATE_LIMITS.copyCodeExampleLength} characters.`, { max: TEMPLATE_LIMITS.copyCodeExampleLength });
    }
  }
}

function lintAuthentication(draft: TemplateDraft, report: Report): void {
  const { header, body, buttons = [] } = draft.components;
  const otp = buttons.filter((b) => b.type === 'OTP');
  if (otp.length !== 1) {
    report('components.buttons', 'auth.otp-button', 'An authentication template needs exactly one one-time-password button (copy code, one-tap or zero-tap).');
  }
  if (buttons.some((b) => b.type !== 'OTP')) {
    report('components.buttons', 'auth.other-buttons', 'An authentication template can only have its one-time-password button.');
  }
  if (header) {
    report('components.header', 'auth.no-header', 'An authentication template cannot have a header (no text, media or location).');
  }
  if (URL_IN_TEXT.test(body.text)) report('components.body.text', 'auth.no-url', 'An authentication template cannot contain links.');
  if (EMOJI.test(body.text)) report('components.body.text', 'auth.no-emoji', 'An authentication template cannot contain emoji.');
}

function lintOtpOutsideAuthentication(buttons: TemplateButton[], report: Report): void {
  buttons.forEach((button, i) => {
    if (button.type === 'OTP') {
      report(`components.buttons[${i}]`, 'otp.category', 'One-time-password buttons are only allowed in AUTHENTICATION templates.');
    }
  });
}
