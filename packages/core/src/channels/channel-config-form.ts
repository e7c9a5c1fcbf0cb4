import type { ChannelPlugin, ConfigField } from '@obrol/contracts';
import { z } from 'zod';

interface JsonSchemaProperty {
  type?: string | string[];
  enum?: unknown[];
  title?: string;
  description?: string;
  default?: unknown;
  format?: string;
  pattern?: string;
  anyOf?: JsonSchemaProperty[];
}

/** `phoneNumberId` → "Phone number ID", for fields the plugin gave no title. */
export function labelOf(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase()
    .split(/\s+/)
    .map((w) => (['id', 'url', 'api'].includes(w) ? w.toUpperCase() : w));
  const label = words.join(' ');
  return label.charAt(0).toUpperCase() + label.slice(1);
}

function typeOf(p: JsonSchemaProperty): ConfigField['type'] {
  if (p.enum) return 'enum';
  const type = Array.isArray(p.type) ? p.type.find((t) => t !== 'null') : p.type;
  if (type === 'boolean' || type === 'number' || type === 'integer') return type;
  return 'string';
}

/**
 * The form of a channel plugin's configuration, generated from its zod schema through zod's
 * JSON Schema output (the input side, so defaults count as optional). Titles and descriptions
 * come from the schema's `.meta()` / `.describe()`; the plugin's `secretFields` say what is secret.
 */
export function configFormOf(plugin: { configSchema: ChannelPlugin<unknown>['configSchema']; secretFields: readonly string[] }): ConfigField[] {
  const json = z.toJSONSchema(plugin.configSchema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonSchemaProperty>; required?: string[] };
  const required = new Set(json.required ?? []);
  const secrets = new Set<string>(plugin.secretFields);
  return Object.entries(json.properties ?? {}).map(([name, raw]) => {
    const p = raw.anyOf?.find((option) => option.type !== 'null') ? { ...raw.anyOf.find((option) => option.type !== 'null'), ...raw, anyOf: undefined } : raw;
    return {
      name,
      type: typeOf(p),
      label: p.title ?? labelOf(name),
      description: p.description ?? null,
      secret: secrets.has(name),
      required: required.has(name) && p.default === undefined,
      enum: p.enum ? p.enum.map(String) : null,
      ...(p.default !== undefined ? { default: p.default } : {}),
      format: p.format ?? null,
      pattern: p.pattern ?? null,
    };
  });
}
