import { describe, expect, it } from 'vitest';
import { whatsAppConfigSchema, whatsAppConfigSchemaFor } from './whatsapp-config.schema.js';

const valid = {
  phoneNumberId: '106540352242922',
  wabaId: '102290129340398',
  accessToken: 'EAAGm0PX4ZCpsBA-token',
  appSecret: '0123456789abcdef0123456789abcdef',
  verifyToken: 'vibecoding',
};

function messagesFor(input: unknown): string[] {
  const result = whatsAppConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('whatsAppConfigSchema', () => {
  it('fills the Graph defaults', () => {
    expect(whatsAppConfigSchema.parse(valid)).toEqual({ ...valid, graphApiBaseUrl: 'https://graph.facebook.com', graphApiVersion: 'v26.0' });
  });
  it('accepts a simulator URL and strips its trailing slash', () => {
    expect(whatsAppConfigSchema.parse({ ...valid, graphApiBaseUrl: 'http://127.0.0.1:4010/', graphApiVersion: 'v25.0' })).toMatchObject({
      graphApiBaseUrl: 'http://127.0.0.1:4010',
      graphApiVersion: 'v25.0',
    });
  });
  it('explains a phone number pasted instead of the phone number id', () => {
    expect(messagesFor({ ...valid, phoneNumberId: '+1 555 078 3881' })).toEqual([expect.stringContaining('phoneNumberId: phoneNumberId must be the numeric "Phone number ID"')]);
  });
  it('refuses a non-numeric WABA id', () => {
    expect(messagesFor({ ...valid, wabaId: 'waba-1' })).toEqual([expect.stringContaining('wabaId must be the numeric')]);
  });
  it('refuses a token pasted with "Bearer "', () => {
    expect(messagesFor({ ...valid, accessToken: 'Bearer EAAGm0PX4ZCps' })).toEqual([expect.stringContaining('without the "Bearer " prefix')]);
  });
  it('refuses a too short app secret and an empty verify token', () => {
    expect(messagesFor({ ...valid, appSecret: 'abc', verifyToken: '' })).toEqual([
      expect.stringContaining('appSecret: appSecret is too short'),
      expect.stringContaining('verifyToken: verifyToken must not be empty'),
    ]);
  });
  it('refuses a malformed version and a non-http base URL', () => {
    expect(messagesFor({ ...valid, graphApiVersion: '26', graphApiBaseUrl: 'ftp://graph.facebook.com' })).toEqual([
      expect.stringContaining('graphApiBaseUrl must be an http(s) URL'),
      expect.stringContaining('graphApiVersion must look like v26.0'),
    ]);
  });
  it('refuses plain http outside loopback, which would send the token in clear to any internal service', () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://10.0.0.5:8080', 'http://graph.facebook.com', 'http://127.0.0.1.evil.test']) {
      expect(messagesFor({ ...valid, graphApiBaseUrl: url }), url).toEqual([expect.stringContaining('graphApiBaseUrl must be an https:// URL')]);
    }
    for (const url of ['http://127.0.0.1:4010', 'http://localhost:4010', 'http://[::1]:4010', 'https://graph.example.test']) {
      expect(messagesFor({ ...valid, graphApiBaseUrl: url }), url).toEqual([]);
    }
    expect(messagesFor({ ...valid, graphApiBaseUrl: 'https://user:pw@graph.example.test' })).toEqual([expect.stringContaining('must not contain a user name or password')]);
  });
  it('allows http anywhere only when the operator says so (OBROL_ALLOW_INSECURE_GRAPH)', () => {
    expect(whatsAppConfigSchemaFor({ allowInsecureGraph: true }).parse({ ...valid, graphApiBaseUrl: 'http://sim.internal:4010' }).graphApiBaseUrl).toBe('http://sim.internal:4010');
  });
  it('says which keys are missing', () => {
    expect(messagesFor({}).map((m) => m.split(':')[0])).toEqual(['phoneNumberId', 'wabaId', 'accessToken', 'appSecret', 'verifyToken']);
  });
});
