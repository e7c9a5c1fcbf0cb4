import type { z } from 'zod';
import type { ContractCheck } from './contract-check.js';

function issueList(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

interface SchemaDef {
  type?: string;
  typeName?: string;
  shape?: Record<string, unknown> | (() => Record<string, unknown>);
  innerType?: unknown;
  in?: unknown;
  schema?: unknown;
}

/** The top-level keys of an object schema, looking through optional/default/pipe/effects wrappers. */
function objectSchemaKeys(schema: unknown): string[] | null {
  let current = schema as { _zod?: { def?: SchemaDef }; _def?: SchemaDef } | undefined;
  for (let depth = 0; depth < 10 && current; depth++) {
    const def = current._zod?.def ?? current._def;
    if (!def) return null;
    if (def.type === 'object' || def.typeName === 'ZodObject') {
      const shape = typeof def.shape === 'function' ? def.shape() : def.shape;
      return shape ? Object.keys(shape) : null;
    }
    current = (def.innerType ?? def.in ?? def.schema) as typeof current;
  }
  return null;
}

/** The schema accepts the fixture config and refuses each invalid one with an issue on the named field. */
export const checkConfigSchema: ContractCheck = async (plugin, fixtures) => {
  const failures: string[] = [];
  const valid = plugin.configSchema.safeParse(fixtures.config);
  if (!valid.success) failures.push(`configSchema refuses fixtures.config: ${issueList(valid.error)}`);
  for (const { config, field } of fixtures.invalidConfigs ?? []) {
    const parsed = plugin.configSchema.safeParse(config);
    if (parsed.success) {
      failures.push(`configSchema accepts ${JSON.stringify(config)}, which should be refused for "${field}"`);
      continue;
    }
    const names = parsed.error.issues.map((i) => i.path.map(String).join('.'));
    if (!names.some((name) => name === field || name.startsWith(`${field}.`))) {
      failures.push(`configSchema refuses ${JSON.stringify(config)} but names ${names.map((n) => `"${n || '(root)'}"`).join(', ')}, not "${field}"`);
    }
  }
  return failures;
};

/** Secret fields are keys of the config: the core encrypts exactly these and never returns them. */
export const checkSecretFields: ContractCheck = async (plugin, fixtures) => {
  if (!Array.isArray(plugin.secretFields)) return ['secretFields must be an array of config keys'];
  let keys = objectSchemaKeys(plugin.configSchema);
  if (!keys) {
    const parsed = plugin.configSchema.safeParse(fixtures.config);
    if (!parsed.success || typeof parsed.data !== 'object' || parsed.data === null) {
      return ['cannot read the config keys: configSchema is not an object schema and refuses fixtures.config'];
    }
    keys = Object.keys(parsed.data);
  }
  const known = new Set(keys);
  return plugin.secretFields
    .filter((field) => !known.has(field))
    .map((field) => `secretFields names "${field}", which is not a key of configSchema (keys: ${keys.join(', ')})`);
};
