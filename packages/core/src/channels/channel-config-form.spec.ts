import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configFormOf, labelOf } from './channel-config-form.js';

describe('configFormOf', () => {
  it("describes a plugin's zod schema as form fields: types, defaults, required, secrets, titles and descriptions", () => {
    const configSchema = z.object({
      phoneNumberId: z.string().regex(/^\d+$/).meta({ title: 'Phone number ID', description: 'From API Setup' }),
      apiToken: z.string().min(8),
      region: z.enum(['eu', 'us']).default('eu'),
      port: z.number().int().optional(),
      endpoint: z.url().default('https://api.example').transform((u) => u.replace(/\/$/, '')),
      sandbox: z.boolean().default(false).describe('Send to the sandbox'),
    });
    expect(configFormOf({ configSchema, secretFields: ['apiToken'] })).toEqual([
      { name: 'phoneNumberId', type: 'string', label: 'Phone number ID', description: 'From API Setup', secret: false, required: true, enum: null, format: null, pattern: '^\\d+$' },
      { name: 'apiToken', type: 'string', label: 'API token', description: null, secret: true, required: true, enum: null, format: null, pattern: null },
      { name: 'region', type: 'enum', label: 'Region', description: null, secret: false, required: false, enum: ['eu', 'us'], default: 'eu', format: null, pattern: null },
      { name: 'port', type: 'integer', label: 'Port', description: null, secret: false, required: false, enum: null, format: null, pattern: null },
      { name: 'endpoint', type: 'string', label: 'Endpoint', description: null, secret: false, required: false, enum: null, default: 'https://api.example', format: 'uri', pattern: null },
      { name: 'sandbox', type: 'boolean', label: 'Sandbox', description: 'Send to the sandbox', secret: false, required: false, enum: null, default: false, format: null, pattern: null },
    ]);
  });

  it('labels fields without a title from their names', () => {
    expect(labelOf('wabaId')).toBe('Waba ID');
    expect(labelOf('graphApiBaseUrl')).toBe('Graph API base URL');
    expect(labelOf('webhook_secret')).toBe('Webhook secret');
  });
});
