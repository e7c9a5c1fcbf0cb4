import type { ConfigField } from '@obrol/contracts';
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import SchemaForm from './SchemaForm.vue';

const field = (f: Partial<ConfigField> & Pick<ConfigField, 'name' | 'type' | 'label'>): ConfigField => ({ description: null, secret: false, required: false, enum: null, format: null, pattern: null, ...f });

/** What `GET /api/v1/channel-plugins` answers for the test channel plugin's zod schema. */
const testChannelForm: ConfigField[] = [
  field({ name: 'webhookSecret', type: 'string', label: 'Webhook secret', secret: true, required: true }),
  field({ name: 'accountId', type: 'string', label: 'Account ID', default: 'test-account' }),
  field({ name: 'rejectCredentials', type: 'boolean', label: 'Reject credentials', default: false }),
];

/** A second, different plugin: its form appears with no UI code of its own. */
const smsForm: ConfigField[] = [
  field({ name: 'region', type: 'enum', label: 'Region', required: true, enum: ['eu', 'us'] }),
  field({ name: 'port', type: 'integer', label: 'Port', default: 443 }),
  field({ name: 'endpoint', type: 'string', label: 'Endpoint', format: 'uri', description: 'Where to send' }),
  field({ name: 'apiToken', type: 'string', label: 'API token', secret: true, required: true }),
];

describe('SchemaForm', () => {
  it("draws the test channel plugin's form: secret as a password, defaults as placeholders, booleans as checkboxes", async () => {
    const w = mount(SchemaForm, { props: { fields: testChannelForm, modelValue: {} } });
    expect(w.find('[data-testid="config-webhookSecret"]').attributes('type')).toBe('password');
    expect(w.find('[data-field="webhookSecret"]').text()).toContain('secret');
    expect(w.find('[data-field="webhookSecret"]').text()).toContain('*');
    expect(w.find('[data-testid="config-accountId"]').attributes('placeholder')).toBe('test-account');
    expect(w.find('[data-field="accountId"]').text()).toContain('optional');
    expect(w.find('[data-testid="config-rejectCredentials"]').attributes('type')).toBe('checkbox');
    await w.find('[data-testid="config-webhookSecret"]').setValue('s3cret-value');
    expect(w.emitted('update:modelValue')!.at(-1)![0]).toEqual({ webhookSecret: 's3cret-value' });
    await w.find('[data-testid="config-rejectCredentials"]').setValue(true);
    expect(w.emitted('update:modelValue')!.at(-1)![0]).toEqual({ rejectCredentials: true });
  });

  it('gives a second plugin its form with no UI code: enum as a select, integers as numbers, url, descriptions', async () => {
    const w = mount(SchemaForm, { props: { fields: smsForm, modelValue: {} } });
    expect(w.findAll('[data-testid="config-region"] option').map((o) => o.text())).toEqual(['eu', 'us']);
    expect(w.find('[data-testid="config-port"]').attributes('type')).toBe('number');
    expect(w.find('[data-testid="config-endpoint"]').attributes('type')).toBe('url');
    expect(w.find('[data-field="endpoint"]').text()).toContain('Where to send');
    await w.find('[data-testid="config-port"]').setValue('8443');
    expect(w.emitted('update:modelValue')!.at(-1)![0]).toEqual({ port: 8443 });
    await w.find('[data-testid="config-region"]').setValue('us');
    expect(w.emitted('update:modelValue')!.at(-1)![0]).toEqual({ region: 'us' });
  });

  it('never shows a saved secret: "Replace" opens an empty field, "Keep" drops the new value', async () => {
    const w = mount(SchemaForm, { props: { fields: smsForm, modelValue: { region: 'eu' }, secretsSet: ['apiToken'] } });
    expect(w.find('[data-testid="config-apiToken"]').exists()).toBe(false);
    expect(w.find('[data-testid="config-apiToken-set"]').exists()).toBe(true);
    await w.find('[data-testid="config-apiToken-replace"]').trigger('click');
    const input = w.find('[data-testid="config-apiToken"]');
    expect((input.element as HTMLInputElement).value).toBe('');
    await input.setValue('new-token');
    expect(w.emitted('update:modelValue')!.at(-1)![0]).toEqual({ region: 'eu', apiToken: 'new-token' });
    await w.setProps({ modelValue: { region: 'eu', apiToken: 'new-token' } });
    await w.find('[data-field="apiToken"] .button--ghost').trigger('click');
    expect(w.emitted('update:modelValue')!.at(-1)![0]).toEqual({ region: 'eu' });
    expect(w.find('[data-testid="config-apiToken-set"]').exists()).toBe(true);
  });

  it('shows each problem in words next to its field', () => {
    const w = mount(SchemaForm, { props: { fields: smsForm, modelValue: {}, problems: { endpoint: 'must be an https URL' } } });
    expect(w.find('[data-testid="config-endpoint-problem"]').text()).toBe('must be an https URL');
    expect(w.find('[data-field="endpoint"]').text()).not.toContain('Where to send');
  });
});
