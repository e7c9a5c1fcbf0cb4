/** A `{{…}}` placeholder found in template text. */
export interface TemplateVariable {
  /** The text between the braces, e.g. `1` or `first_name`. */
  name: string;
  kind: 'positional' | 'named' | 'malformed';
  start: number;
  end: number;
}

const VARIABLE = /\{\{([^{}]*)\}\}/g;
const POSITIONAL = /^[1-9]\d*$/;
const NAMED = /^[a-z][a-z0-9_]*$/;

/** Every `{{…}}` placeholder in the text, in order. */
export function findVariables(text: string): TemplateVariable[] {
  return [...text.matchAll(VARIABLE)].map((match) => {
    const name = match[1] ?? '';
    const kind = POSITIONAL.test(name) ? 'positional' : NAMED.test(name) ? 'named' : 'malformed';
    return { name, kind, start: match.index, end: match.index + match[0].length };
  });
}

/** Distinct variable names in order of first appearance. */
export function distinctVariableNames(text: string): string[] {
  return [...new Set(findVariables(text).map((v) => v.name))];
}

/** Whether braces are left over once every well-formed `{{…}}` is removed (`{{1}`, `{1}}`…). */
export function hasStrayBraces(text: string): boolean {
  const rest = text.replace(VARIABLE, '');
  return rest.includes('{{') || rest.includes('}}');
}

/** Replaces each `{{name}}` with `valueOf(name)`, or leaves it when that returns undefined. */
export function substituteVariables(text: string, valueOf: (name: string) => string | undefined): string {
  return text.replace(VARIABLE, (whole, name: string) => valueOf(name) ?? whole);
}
