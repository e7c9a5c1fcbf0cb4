import type { ChannelPlugin } from '@obrol/contracts';
import { describe, expect, it } from 'vitest';
import type { ChannelContractFixtures } from './channel-contract.fixtures.js';
import { checkConfigSchema, checkSecretFields } from './config.checks.js';
import type { ContractCheck } from './contract-check.js';
import { checkCapabilities, checkChannelId } from './identity.checks.js';
import { checkFreeformPolicy, checkWindowLength } from './policy.checks.js';
import { checkSendText, checkSendUnsupported } from './send.checks.js';
import { checkTemplateLint, checkTemplateParameters, checkTemplateRender } from './templates.checks.js';
import { checkHandshake } from './webhook-handshake.checks.js';
import { checkInboundMessages, checkMalformedPayload, checkParseNeverThrows, checkSignedWebhooks, checkUnsupportedContent } from './webhook-parse.checks.js';
import { checkForgedSignature, checkMissingSignature, checkTamperedBody } from './webhook-signature.checks.js';

/** One entry of the contract: a title, its check, and when it does not apply. */
export interface ChannelContractEntry {
  title: string;
  check: ContractCheck;
  /** Why the check does not apply to this plugin and these fixtures (the test is skipped), or null. */
  skipReason?<C>(plugin: ChannelPlugin<C>, fixtures: ChannelContractFixtures<C>): string | null;
}

const noTemplates = <C>(plugin: ChannelPlugin<C>, fixtures: ChannelContractFixtures<C>) =>
  !plugin.templates && !plugin.capabilities?.templates && !fixtures.templates ? 'the channel has no templates' : null;
const noSendTarget = <C>(_plugin: ChannelPlugin<C>, fixtures: ChannelContractFixtures<C>) => (fixtures.sendTarget ? null : 'fixtures give no sendTarget');

/** The channel contract, in the order `describeChannelContract` runs it. */
export const channelContract: readonly ChannelContractEntry[] = [
  { title: 'id is lower case [a-z0-9_-] and displayName is set', check: checkChannelId },
  { title: 'capabilities state every capability as a boolean', check: checkCapabilities },
  { title: 'configSchema accepts the valid config and refuses each invalid one, naming the field', check: checkConfigSchema },
  { title: 'secretFields are keys of configSchema', check: checkSecretFields },
  { title: 'parseWebhook refuses a request without a signature (WEBHOOK_SIGNATURE_INVALID)', check: checkMissingSignature },
  { title: 'parseWebhook refuses a forged signature (WEBHOOK_SIGNATURE_INVALID)', check: checkForgedSignature },
  { title: 'parseWebhook refuses a body changed after signing (WEBHOOK_SIGNATURE_INVALID)', check: checkTamperedBody },
  { title: 'parseWebhook turns each signed fixture into its expected events', check: checkSignedWebhooks },
  { title: 'parseWebhook refuses a signed malformed body with WEBHOOK_PAYLOAD_INVALID', check: checkMalformedPayload },
  { title: 'parseWebhook never throws, whatever the body', check: checkParseNeverThrows },
  { title: 'inbound messages carry externalId, from.externalId, a Date timestamp and valid content', check: checkInboundMessages },
  {
    title: 'content the channel cannot normalise becomes "unsupported", not dropped',
    check: checkUnsupportedContent,
    skipReason: (_p, f) => (f.unsupportedContent ? null : 'fixtures give no unsupportedContent payload'),
  },
  {
    title: 'verifyWebhook answers the challenge for the right token and refuses a wrong one',
    check: checkHandshake,
    skipReason: (p, f) => (p.verifyWebhook || f.handshake ? null : 'the channel has no handshake'),
  },
  { title: 'policy: free-form replies follow the reply window (or are always allowed without one)', check: checkFreeformPolicy },
  {
    title: 'policy: the window is open 1 s before windowMs and closed 1 s after',
    check: checkWindowLength,
    skipReason: (p, f) =>
      f.windowMs !== undefined ? null : p.capabilities?.sessionWindow ? 'set fixtures.windowMs to test the window edges' : 'the channel has no reply window',
  },
  { title: 'send returns ok with the provider id for a text message', check: checkSendText, skipReason: noSendTarget },
  { title: 'send refuses content it cannot send with CONTENT_NOT_SUPPORTED, as a value', check: checkSendUnsupported, skipReason: noSendTarget },
  { title: 'templates: lint passes a valid draft and explains a bad one', check: checkTemplateLint, skipReason: noTemplates },
  { title: 'templates: validateParameters flags a missing parameter', check: checkTemplateParameters, skipReason: noTemplates },
  { title: 'templates: render shows the parameter values', check: checkTemplateRender, skipReason: noTemplates },
];

/**
 * The contract suite every channel plugin runs, one `it` per check:
 *
 * ```ts
 * describeChannelContract(createMyChannel(), { config, signedRequest, webhooks, ... });
 * ```
 *
 * Each check is also exported as a plain function returning its failures (see `channelContract`).
 */
export function describeChannelContract<C>(plugin: ChannelPlugin<C>, fixtures: ChannelContractFixtures<C>): void {
  describe(`channel contract: ${plugin.id}`, () => {
    for (const entry of channelContract) {
      const skip = entry.skipReason?.(plugin, fixtures) ?? null;
      if (skip) {
        it.skip(`${entry.title} (${skip})`, () => undefined);
        continue;
      }
      it(entry.title, async () => {
        expect(await entry.check(plugin, fixtures)).toEqual([]);
      });
    }
  });
}
