import type { ChannelPlugin, ChannelTemplates, TemplateParameters, TemplateProblem } from '@obrol/contracts';
import { type ChannelContractFixtures, type TemplateFixtures, describeThrown } from './channel-contract.fixtures.js';
import type { ContractCheck } from './contract-check.js';

function setup<C>(plugin: ChannelPlugin<C>, fixtures: ChannelContractFixtures<C>): { templates: ChannelTemplates<C>; fx: TemplateFixtures } | string[] {
  if (plugin.capabilities.templates && !plugin.templates) return ['capabilities.templates is true but the plugin has no templates hooks'];
  if (!plugin.capabilities.templates && plugin.templates) return ['the plugin has templates hooks but capabilities.templates is false'];
  if (!plugin.templates) return fixtures.templates ? ['fixtures.templates is given but the plugin has no templates hooks'] : [];
  if (!fixtures.templates) return ['the plugin has templates: give fixtures.templates so the suite can test them'];
  return { templates: plugin.templates, fx: fixtures.templates };
}

function problemShapeFailures(problems: unknown, what: string): string[] {
  if (!Array.isArray(problems)) return [`${what} returned ${JSON.stringify(problems)}, not a list of problems`];
  return (problems as Partial<TemplateProblem>[]).flatMap((p, i) =>
    (['path', 'rule', 'message'] as const)
      .filter((key) => typeof p?.[key] !== 'string' || p[key] === '')
      .map((key) => `${what}: problem[${i}].${key} must be a non-empty string (got ${JSON.stringify(p)})`),
  );
}

function attempt<T>(run: () => T, what: string, failures: string[]): T | undefined {
  try {
    return run();
  } catch (error) {
    failures.push(`${what} threw ${describeThrown(error)}`);
    return undefined;
  }
}

/** The linter passes a valid draft and names the path, rule and reason of a mistake. */
export const checkTemplateLint: ContractCheck = async (plugin, fixtures) => {
  const s = setup(plugin, fixtures);
  if (Array.isArray(s)) return s;
  const failures: string[] = [];
  const valid = attempt(() => s.templates.lint(s.fx.validDraft), 'lint of the valid draft', failures);
  if (Array.isArray(valid) && valid.length) failures.push(`lint finds problems in the valid draft: ${JSON.stringify(valid)}`);
  const invalid = attempt(() => s.templates.lint(s.fx.invalidDraft), 'lint of the invalid draft', failures);
  if (invalid !== undefined) {
    failures.push(...problemShapeFailures(invalid, 'lint of the invalid draft'));
    if (Array.isArray(invalid) && invalid.length === 0) failures.push('lint finds no problem in fixtures.templates.invalidDraft');
  }
  return failures;
};

function withoutLastBodyValue(parameters: TemplateParameters): TemplateParameters | null {
  if (!parameters.body?.length) return null;
  return { ...parameters, body: parameters.body.slice(0, -1) };
}

/** Complete parameters pass; a missing one is flagged. */
export const checkTemplateParameters: ContractCheck = async (plugin, fixtures) => {
  const s = setup(plugin, fixtures);
  if (Array.isArray(s)) return s;
  const failures: string[] = [];
  const complete = attempt(() => s.templates.validateParameters(s.fx.template, s.fx.parameters), 'validateParameters of complete values', failures);
  if (Array.isArray(complete) && complete.length) failures.push(`validateParameters flags the complete fixture values: ${JSON.stringify(complete)}`);
  const incomplete = s.fx.incompleteParameters ?? withoutLastBodyValue(s.fx.parameters);
  if (!incomplete) return [...failures, 'fixtures.templates.parameters has no body values to leave one out of: give incompleteParameters'];
  const problems = attempt(() => s.templates.validateParameters(s.fx.template, incomplete), 'validateParameters of incomplete values', failures);
  if (problems !== undefined) {
    failures.push(...problemShapeFailures(problems, 'validateParameters of incomplete values'));
    if (Array.isArray(problems) && problems.length === 0) failures.push('validateParameters does not flag a missing parameter');
  }
  return failures;
};

/** The preview shows the values it was given. */
export const checkTemplateRender: ContractCheck = async (plugin, fixtures) => {
  const s = setup(plugin, fixtures);
  if (Array.isArray(s)) return s;
  const values = [...(s.fx.parameters.header ?? []), ...(s.fx.parameters.body ?? [])].flatMap((p) =>
    p.type === 'text' ? [p.text] : 'fallback' in p ? [p.fallback] : [],
  );
  if (values.length === 0) return ['fixtures.templates.parameters has no text values to look for in the preview'];
  const failures: string[] = [];
  const text = attempt(() => s.templates.render(s.fx.template, s.fx.parameters), 'render', failures);
  if (text === undefined) return failures;
  if (typeof text !== 'string') return [`render returned ${JSON.stringify(text)}, not a string`];
  return values.filter((v) => !text.includes(v)).map((v) => `render does not show the value ${JSON.stringify(v)}: ${JSON.stringify(text)}`);
};
