import type { TemplateDefinition, TemplateParameter, TemplateParameters, TemplateProblem } from '@obrol/contracts';
import { distinctVariableNames } from './template-variables.js';

/** Meta refuses (132000/131008) text values with line breaks, tabs or more than 4 spaces in a row. */
const FORBIDDEN_TEXT = /[\n\r\t]| {5,}/;
/** One-time passwords and OTP button codes are at most 15 characters. */
const OTP_MAX_LENGTH = 15;

type Report = (path: string, rule: string, message: string) => void;

/**
 * Checks parameter values against an approved template before sending, so an agent or a
 * broadcast never gets Meta's 132000/132012: count and names of header and body values, a
 * media value for a media header, the button values URL/copy-code/OTP buttons need, and text
 * values Meta would refuse. Returns an empty list when the values fit.
 */
export function validateTemplateParameters(template: TemplateDefinition, parameters: TemplateParameters): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const report: Report = (path, rule, message) => problems.push({ path, rule, message });
  const named = template.parameterFormat === 'named';
  const { header, body } = template.components;

  const headerParams = parameters.header ?? [];
  if (!header || header.format === 'TEXT') {
    const vars = header ? distinctVariableNames(header.text) : [];
    checkTextSection('header', vars, headerParams, named, report);
  } else {
    checkMediaHeader(header.format, headerParams, report);
  }
  checkTextSection('body', distinctVariableNames(body.text), parameters.body ?? [], named, report);

  if (template.category === 'AUTHENTICATION') {
    (parameters.body ?? []).forEach((param, i) => {
      if (param.type === 'text' && param.text.length > OTP_MAX_LENGTH) {
        report(`parameters.body[${i}]`, 'parameters.otp-length', `A one-time password can be at most ${OTP_MAX_LENGTH} characters.`);
      }
    });
  }
  checkButtons(template, parameters, report);
  return problems;
}

function checkTextSection(section: 'header' | 'body', vars: string[], params: TemplateParameter[], named: boolean, report: Report): void {
  const path = `parameters.${section}`;
  params.forEach((param, i) => {
    if (param.type !== 'text' && param.type !== 'currency' && param.type !== 'date_time') {
      report(`${path}[${i}]`, 'parameters.type', `The ${section} takes text values, not ${param.type}.`);
    } else if (param.type === 'text') {
      if (param.text.trim() === '') report(`${path}[${i}]`, 'parameters.text-empty', `The ${section} value ${i + 1} is empty.`);
      if (FORBIDDEN_TEXT.test(param.text)) {
        report(`${path}[${i}]`, 'parameters.text-format', `The ${section} value ${i + 1} contains a line break, a tab or more than four spaces in a row, which WhatsApp refuses.`);
      }
    }
  });
  if (!named || vars.length === 0) {
    if (params.length !== vars.length) {
      report(path, 'parameters.count', `The ${section} needs ${vars.length} value(s) but got ${params.length}.`);
    }
    return;
  }
  const given = params.map((p) => ('name' in p ? p.name : undefined));
  params.forEach((param, i) => {
    const name = given[i];
    if (!name) report(`${path}[${i}]`, 'parameters.name-missing', `The ${section} value ${i + 1} needs the name of its variable (the template uses named variables).`);
    else if (!vars.includes(name)) report(`${path}[${i}]`, 'parameters.name-unknown', `The ${section} has no variable {{${name}}}.`);
    else if (given.indexOf(name) !== i) report(`${path}[${i}]`, 'parameters.name-duplicate', `{{${name}}} has more than one value.`);
  });
  for (const name of vars) {
    if (!given.includes(name)) report(path, 'parameters.name-missing', `The ${section} needs a value for {{${name}}}.`);
  }
}

function checkMediaHeader(format: 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION', params: TemplateParameter[], report: Report): void {
  const expected = format.toLowerCase();
  if (params.length !== 1) {
    report('parameters.header', 'parameters.header-media', `The template has a ${expected} header: give exactly one ${expected} value.`);
    return;
  }
  const param = params[0]!;
  if (param.type !== expected) {
    report('parameters.header[0]', 'parameters.header-media', `The template has a ${expected} header, but the value is ${param.type}.`);
  } else if ('media' in param && !param.media.providerMediaId && !param.media.url) {
    report('parameters.header[0]', 'parameters.header-media', `The ${expected} needs an uploaded media id or a public https URL.`);
  }
}

function checkButtons(template: TemplateDefinition, parameters: TemplateParameters, report: Report): void {
  const buttons = template.components.buttons ?? [];
  const values = parameters.buttons ?? [];
  values.forEach((value, i) => {
    const path = `parameters.buttons[${i}]`;
    const button = buttons[value.index];
    if (!button) {
      report(path, 'parameters.button-unknown', `The template has no button at position ${value.index}.`);
      return;
    }
    const fits =
      (value.subType === 'quick_reply' && button.type === 'QUICK_REPLY') ||
      (value.subType === 'url' && (button.type === 'URL' || button.type === 'OTP')) ||
      (value.subType === 'copy_code' && button.type === 'COPY_CODE') ||
      (value.subType === 'otp' && (button.type === 'OTP' || button.type === 'URL'));
    if (!fits) {
      report(path, 'parameters.button-type', `Button ${value.index} is a ${button.type} button; a ${value.subType} value does not fit it.`);
      return;
    }
    if (value.subType !== 'quick_reply' && value.value.trim() === '') {
      report(path, 'parameters.button-value', `Button ${value.index} needs a non-empty value.`);
    }
    const isCode = value.subType === 'copy_code' || value.subType === 'otp' || button.type === 'OTP' || template.category === 'AUTHENTICATION';
    if (isCode && value.value.length > OTP_MAX_LENGTH) {
      report(path, 'parameters.button-value', `The code for button ${value.index} can be at most ${OTP_MAX_LENGTH} characters.`);
    }
    if (value.subType === 'url' && /\s/.test(value.value)) {
      report(path, 'parameters.button-value', `The URL value for button ${value.index} must not contain spaces; percent-encode it.`);
    }
  });
  buttons.forEach((button, index) => {
    const needs =
      (button.type === 'URL' && /\{\{[^{}]*\}\}/.test(button.url)) ||
      button.type === 'COPY_CODE' ||
      button.type === 'OTP' ||
      (template.category === 'AUTHENTICATION' && button.type === 'URL');
    if (needs && !values.some((v) => v.index === index)) {
      report('parameters.buttons', 'parameters.button-missing', `Button ${index} (${button.type}) needs a value.`);
    }
  });
}
