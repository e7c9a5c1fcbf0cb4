import type { TemplateDraft, TemplateProblem } from '@obrol/client';

export type HeaderFormat = 'NONE' | 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT';
export type ButtonType = 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | 'COPY_CODE';

export interface ButtonForm {
  type: ButtonType;
  text: string;
  url: string;
  phoneNumber: string;
  example: string;
}

/** What the template editor's fields hold, before it becomes the API's draft. */
export interface TemplateForm {
  name: string;
  language: string;
  category: TemplateDraft['category'];
  parameterFormat: 'positional' | 'named';
  headerFormat: HeaderFormat;
  headerText: string;
  headerExampleUrl: string;
  body: string;
  footer: string;
  buttons: ButtonForm[];
  /** Example values by variable, shared by header and body (as Meta asks for one per variable). */
  examples: Record<string, string>;
}

const VARIABLE = /\{\{\s*([a-z0-9_]+)\s*\}\}/g;

/** The variables of a text in order of first appearance. */
export function variablesOf(text: string): string[] {
  return [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1]!))];
}

export const emptyTemplateForm = (): TemplateForm => ({
  name: '',
  language: 'en',
  category: 'UTILITY',
  parameterFormat: 'positional',
  headerFormat: 'NONE',
  headerText: '',
  headerExampleUrl: '',
  body: '',
  footer: '',
  buttons: [],
  examples: {},
});

function examplesFor(form: TemplateForm, text: string): string[] | Record<string, string> | undefined {
  const vars = variablesOf(text);
  if (!vars.length) return undefined;
  if (form.parameterFormat === 'named') return Object.fromEntries(vars.map((v) => [v, form.examples[v] ?? '']));
  return [...vars].sort((a, b) => Number(a) - Number(b)).map((v) => form.examples[v] ?? '');
}

/** The draft the API lints and submits. Empty optional parts are left out. */
export function draftOf(form: TemplateForm): TemplateDraft {
  const header =
    form.headerFormat === 'NONE'
      ? undefined
      : form.headerFormat === 'TEXT'
        ? { format: 'TEXT' as const, text: form.headerText, ...(examplesFor(form, form.headerText) ? { examples: examplesFor(form, form.headerText) } : {}) }
        : { format: form.headerFormat, ...(form.headerExampleUrl.trim() ? { exampleUrl: form.headerExampleUrl.trim() } : {}) };
  const buttons = form.buttons.map((b) => {
    switch (b.type) {
      case 'QUICK_REPLY':
        return { type: b.type, text: b.text };
      case 'URL':
        return { type: b.type, text: b.text, url: b.url, ...(b.example.trim() ? { example: b.example.trim() } : {}) };
      case 'PHONE_NUMBER':
        return { type: b.type, text: b.text, phoneNumber: b.phoneNumber };
      case 'COPY_CODE':
        return { type: b.type, ...(b.example.trim() ? { example: b.example.trim() } : {}) };
    }
  });
  const bodyExamples = examplesFor(form, form.body);
  return {
    name: form.name.trim(),
    language: form.language.trim(),
    category: form.category,
    parameterFormat: form.parameterFormat,
    components: {
      ...(header ? { header } : {}),
      body: { text: form.body, ...(bodyExamples ? { examples: bodyExamples } : {}) },
      ...(form.footer.trim() ? { footer: { text: form.footer } } : {}),
      ...(buttons.length ? { buttons } : {}),
    },
  } as TemplateDraft;
}

/** The editor's form for an existing template (to fix a rejected one as a new submission). */
export function formOf(template: { name: string; language: string; category: TemplateDraft['category']; parameterFormat: 'positional' | 'named'; components: TemplateDraft['components'] }): TemplateForm {
  const c = template.components;
  const examples: Record<string, string> = {};
  const collect = (text: string, values: string[] | Record<string, string> | undefined) => {
    if (!values) return;
    const vars = variablesOf(text);
    if (Array.isArray(values)) [...vars].sort((a, b) => Number(a) - Number(b)).forEach((v, i) => (examples[v] = values[i] ?? ''));
    else Object.assign(examples, values);
  };
  if (c.header?.format === 'TEXT') collect(c.header.text, c.header.examples);
  collect(c.body.text, c.body.examples);
  return {
    ...emptyTemplateForm(),
    name: template.name,
    language: template.language,
    category: template.category,
    parameterFormat: template.parameterFormat,
    headerFormat: c.header ? (c.header.format === 'LOCATION' ? 'NONE' : c.header.format) : 'NONE',
    headerText: c.header?.format === 'TEXT' ? c.header.text : '',
    body: c.body.text,
    footer: c.footer?.text ?? '',
    buttons: (c.buttons ?? [])
      .filter((b) => b.type !== 'OTP')
      .map((b) => ({ type: b.type as ButtonType, text: 'text' in b ? (b.text ?? '') : '', url: 'url' in b ? b.url : '', phoneNumber: 'phoneNumber' in b ? b.phoneNumber : '', example: 'example' in b ? (b.example ?? '') : '' })),
    examples,
  };
}

export type ProblemPlace = 'name' | 'language' | 'category' | 'header' | 'body' | 'footer' | 'buttons' | 'other';

/** Where the editor shows a linter problem: next to the field its path points at. */
export function placeOf(problem: TemplateProblem): ProblemPlace {
  const path = problem.path;
  for (const place of ['name', 'language', 'category'] as const) if (path === place || path.startsWith(`${place}.`)) return place;
  for (const place of ['header', 'body', 'footer', 'buttons'] as const) if (path.startsWith(`components.${place}`)) return place;
  return 'other';
}
