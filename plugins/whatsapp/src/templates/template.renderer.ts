import type { TemplateDefinition, TemplateParameter, TemplateParameters } from '@obrol/contracts';
import { substituteVariables } from './template-variables.js';

/**
 * The text the customer sees: header (when it is text), body and footer, one per line, with
 * variables filled in. Variables without a value stay as `{{…}}` so a preview shows the gap.
 */
export function renderTemplate(template: TemplateDefinition, parameters: TemplateParameters): string {
  const named = template.parameterFormat === 'named';
  const fill = (text: string, params: TemplateParameter[] = []) => {
    return substituteVariables(text, (name) => {
      const param = named ? params.find((p) => 'name' in p && p.name === name) : params[Number(name) - 1];
      return param ? textOf(param) : undefined;
    });
  };
  const { header, body, footer } = template.components;
  return [
    header?.format === 'TEXT' ? fill(header.text, parameters.header) : undefined,
    fill(body.text, parameters.body),
    footer?.text,
  ]
    .filter((part): part is string => !!part)
    .join('\n');
}

function textOf(param: TemplateParameter): string | undefined {
  switch (param.type) {
    case 'text':
      return param.text;
    case 'currency':
    case 'date_time':
      return param.fallback;
    default:
      return undefined;
  }
}
