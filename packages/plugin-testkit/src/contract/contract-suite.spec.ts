import { type ChannelPlugin, alwaysOpenPolicy, err, fixedWindowPolicy, ok } from '@obrol/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TestChannelConfig } from '../test-channel/test.channel.js';
import { TEST_SIGNATURE_HEADER, signTestWebhook } from '../test-channel/test-webhook.js';
import type { ChannelContractFixtures } from './channel-contract.fixtures.js';
import { channelContract } from './channel-contract.js';
import { checkConfigSchema, checkSecretFields } from './config.checks.js';
import type { ContractCheck } from './contract-check.js';
import { checkCapabilities, checkChannelId } from './identity.checks.js';
import { checkFreeformPolicy, checkWindowLength } from './policy.checks.js';
import { checkSendText, checkSendUnsupported } from './send.checks.js';
import { checkTemplateLint, checkTemplateParameters, checkTemplateRender } from './templates.checks.js';
import { testChannelUnderContract } from './test-support/test-channel.fixtures.js';
import { firstDifference } from './value-difference.js';
import { checkHandshake } from './webhook-handshake.checks.js';
import { checkInboundMessages, checkMalformedPayload, checkParseNeverThrows, checkSignedWebhooks, checkUnsupportedContent } from './webhook-parse.checks.js';
import { forgedSignature } from './webhook-requests.js';
import { checkForgedSignature, checkMissingSignature, checkTamperedBody } from './webhook-signature.checks.js';

type Plugin = ChannelPlugin<TestChannelConfig>;
type Fixtures = ChannelContractFixtures<TestChannelConfig>;

/** Parses as the test channel would, after re-signing the body: a plugin that accepts any signature. */
const acceptsAnySignature = (p: Plugin): Plugin => ({
  ...p,
  parseWebhook: (req, ctx) => p.parseWebhook({ ...req, headers: { ...req.headers, [TEST_SIGNATURE_HEADER]: signTestWebhook(req.rawBody, ctx.config.webhookSecret) } }, ctx),
});

const brokenCases: [string, ContractCheck[], (p: Plugin) => Plugin, ((f: Fixtures) => Fixtures)?][] = [
  ['accepts any signature', [checkMissingSignature, checkForgedSignature, checkTamperedBody], acceptsAnySignature],
  [
    'parses before checking the signature',
    [checkTamperedBody],
    (p) => ({
      ...p,
      parseWebhook: (req, ctx) => {
        try {
          JSON.parse(req.rawBody.toString());
        } catch {
          return err({ code: 'WEBHOOK_PAYLOAD_INVALID', message: 'not JSON', retryable: false });
        }
        return p.parseWebhook(req, ctx);
      },
    }),
  ],
  ['has an upper-case id', [checkChannelId], (p) => ({ ...p, id: 'Test' })],
  ['leaves out a capability', [checkCapabilities], (p) => ({ ...p, capabilities: { ...p.capabilities, sessionWindow: undefined as unknown as boolean } })],
  ['states a capability as a string', [checkCapabilities], (p) => ({ ...p, capabilities: { ...p.capabilities, media: 'yes' as unknown as boolean } })],
  ['accepts any config', [checkConfigSchema], (p) => ({ ...p, configSchema: z.any() as unknown as Plugin['configSchema'] })],
  ['misspells a secret field', [checkSecretFields], (p) => ({ ...p, secretFields: ['webhookSecert' as keyof TestChannelConfig & string] })],
  [
    'throws on malformed JSON',
    [checkMalformedPayload, checkParseNeverThrows],
    (p) => ({
      ...p,
      parseWebhook: (req, ctx) => {
        JSON.parse(req.rawBody.toString());
        return p.parseWebhook(req, ctx);
      },
    }),
  ],
  [
    'reads the payload before validating it',
    [checkParseNeverThrows],
    (p) => ({
      ...p,
      parseWebhook: (req, ctx) => {
        const result = p.parseWebhook(req, ctx);
        if (result.ok) return result;
        const json = JSON.parse(req.rawBody.toString() || '{"events":[]}') as { events: unknown[] } | null;
        return json && Array.isArray(json.events) ? result : err({ ...result.error, message: `${json?.events.length} events` });
      },
    }),
  ],
  [
    'leaves timestamps as strings',
    [checkSignedWebhooks, checkInboundMessages],
    (p) => ({
      ...p,
      parseWebhook: (req, ctx) => {
        const result = p.parseWebhook(req, ctx);
        if (!result.ok) return result;
        return ok({ ...result.value, events: result.value.events.map((e) => ({ ...e, timestamp: e.timestamp.toISOString() as unknown as Date })) });
      },
    }),
  ],
  [
    'drops messages it cannot read',
    [checkUnsupportedContent],
    (p) => ({
      ...p,
      parseWebhook: (req, ctx) => {
        const result = p.parseWebhook(req, ctx);
        if (!result.ok) return result;
        return ok({ ...result.value, events: result.value.events.filter((e) => e.kind !== 'inbound_message' || e.content.type !== 'unsupported') });
      },
    }),
  ],
  ['has no inbound message among its fixtures', [checkInboundMessages], (p) => p, (f) => ({ ...f, webhooks: f.webhooks.filter((w) => w.events.every((e) => e.kind !== 'inbound_message')) })],
  [
    'answers the handshake whatever the token',
    [checkHandshake],
    (p) => ({ ...p, verifyWebhook: (req) => ok({ status: 200, body: req.query.challenge ?? '', contentType: 'text/plain' }) }),
  ],
  ['has a handshake the fixtures do not test', [checkHandshake], (p) => p, (f) => ({ ...f, handshake: undefined })],
  ['is always open despite a session window', [checkFreeformPolicy], (p) => ({ ...p, policy: alwaysOpenPolicy })],
  ['has a window one minute too long', [checkWindowLength], (p) => ({ ...p, policy: fixedWindowPolicy(24 * 60 * 60 * 1000 + 60_000) })],
  [
    'throws when the provider is down',
    [checkSendText, checkSendUnsupported],
    (p) => ({
      ...p,
      send: async () => {
        throw new Error('ECONNREFUSED');
      },
    }),
  ],
  ['returns an empty external id', [checkSendText], (p) => ({ ...p, send: async () => ok({ externalId: '' }) })],
  ['claims to have sent received-only content', [checkSendUnsupported], (p) => ({ ...p, send: async () => ok({ externalId: 'sent-anyway' }) })],
  [
    'returns an untyped error',
    [checkSendUnsupported],
    (p) => ({ ...p, send: async () => err({ code: 'NOPE', message: 'no', retryable: 'maybe' } as never) }),
  ],
  ['lints nothing', [checkTemplateLint], (p) => ({ ...p, templates: { ...p.templates!, lint: () => [] } })],
  ['lints without a rule id', [checkTemplateLint], (p) => ({ ...p, templates: { ...p.templates!, lint: (d) => p.templates!.lint(d).map((x) => ({ ...x, rule: '' })) } })],
  ['validates no parameters', [checkTemplateParameters], (p) => ({ ...p, templates: { ...p.templates!, validateParameters: () => [] } })],
  ['renders the raw template', [checkTemplateRender], (p) => ({ ...p, templates: { ...p.templates!, render: (t) => t.components.body.text } })],
  ['claims templates without hooks', [checkTemplateLint, checkTemplateParameters, checkTemplateRender], (p) => ({ ...p, templates: undefined })],
];

describe('the channel contract catches a plugin that', () => {
  it.each(brokenCases)('%s', async (_name, checks, breakPlugin, breakFixtures) => {
    const { plugin, fixtures } = testChannelUnderContract();
    const broken = breakPlugin(plugin);
    const brokenFixtures = breakFixtures ? breakFixtures(fixtures) : fixtures;
    for (const check of checks) {
      expect(await check(broken, brokenFixtures), check.name).not.toEqual([]);
      // The same check passes on the intact plugin: the failure is the breakage's doing.
      expect(await check(plugin, fixtures), check.name).toEqual([]);
    }
  });
});

describe('the contract suite', () => {
  it('names the failures it finds', async () => {
    const { plugin, fixtures } = testChannelUnderContract();
    expect(await checkMissingSignature(acceptsAnySignature(plugin), fixtures)).toEqual([
      expect.stringMatching(/without headers\.x-test-signature: parseWebhook accepted it/),
    ]);
  });

  it('finds the signature header by itself', async () => {
    const { plugin, fixtures } = testChannelUnderContract();
    expect(await checkForgedSignature(plugin, { ...fixtures, signature: undefined })).toEqual([]);
  });

  it('says so when it cannot tell where the signature is', async () => {
    const { plugin, fixtures } = testChannelUnderContract();
    const noisy: Fixtures = { ...fixtures, signedRequest: (body, config) => ({ ...fixtures.signedRequest(body, config), headers: { ...fixtures.signedRequest(body, config).headers, 'x-length': String(body.length + Math.random()) } }) };
    expect(await checkMissingSignature(plugin, noisy)).toEqual([expect.stringContaining('set fixtures.signature')]);
  });

  it('runs every check on the intact test channel without failures', async () => {
    const { plugin, fixtures } = testChannelUnderContract();
    for (const entry of channelContract) expect(await entry.check(plugin, fixtures), entry.title).toEqual([]);
  });

  it('reports a check as not applicable only when the plugin and fixtures lack its part', () => {
    const { plugin, fixtures } = testChannelUnderContract();
    const bare: Fixtures = { config: fixtures.config, signedRequest: fixtures.signedRequest, webhooks: fixtures.webhooks };
    const plain: Plugin = { ...plugin, verifyWebhook: undefined, templates: undefined, capabilities: { ...plugin.capabilities, templates: false } };
    const skipped = channelContract.filter((e) => e.skipReason?.(plain, bare)).map((e) => e.check.name);
    expect(skipped).toEqual([
      'checkUnsupportedContent',
      'checkHandshake',
      'checkWindowLength',
      'checkSendText',
      'checkSendUnsupported',
      'checkTemplateLint',
      'checkTemplateParameters',
      'checkTemplateRender',
    ]);
    expect(channelContract.filter((e) => e.skipReason?.(plugin, fixtures))).toEqual([]);
  });
});

describe('firstDifference', () => {
  it('treats undefined properties as absent and compares Dates by time', () => {
    expect(firstDifference({ a: 1, b: undefined, t: new Date(5) }, { a: 1, t: new Date(5) })).toBeNull();
  });

  it('names the path of the first difference', () => {
    expect(firstDifference([{ from: { externalId: 'x' } }], [{ from: { externalId: 'y' } }], 'events')).toBe('events[0].from.externalId: expected "y" but got "x"');
  });

  it('does not take a date string for a Date', () => {
    expect(firstDifference({ t: '1970-01-01T00:00:00.005Z' }, { t: new Date(5) })).toBe('t: expected Date(1970-01-01T00:00:00.005Z) but got "1970-01-01T00:00:00.005Z"');
  });

  it('reports a different number of items', () => {
    expect(firstDifference([1, 2], [1], 'events')).toBe('events: expected 1 item(s) but got 2');
  });
});

describe('forgedSignature', () => {
  it('flips one digit inside the hex run, leaving a prefix alone', () => {
    const signature = `sha256=${'ab'.repeat(32)}`;
    const forged = forgedSignature(signature)!;
    expect(forged).not.toBe(signature);
    expect(forged.startsWith('sha256=')).toBe(true);
    expect([...forged].filter((c, i) => c !== signature[i])).toHaveLength(1);
  });

  it('gives up on a value with no signature-like run', () => {
    expect(forgedSignature('short')).toBeNull();
  });
});
