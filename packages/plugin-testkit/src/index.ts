export { TestProvider, type ProviderSend } from './test-channel/test-provider.js';
export { createTestChannel, testChannelConfigSchema, type TestChannelConfig } from './test-channel/test.channel.js';
export { TestChannelPlugin } from './test-channel/test-channel.plugin.js';
export { signTestWebhook, testEvents, testWebhookSchema, TEST_SIGNATURE_HEADER, type TestWebhook } from './test-channel/test-webhook.js';
export { TestClock } from './test-clock.js';
export * from './test-env.js';
export { type Stack, STACKS, availableStacks } from './pipeline/stacks.js';
export { describeChannelContract, channelContract, type ChannelContractEntry } from './contract/channel-contract.js';
export {
  type ChannelContractFixtures,
  type WebhookFixture,
  type SendTarget,
  type HandshakeFixture,
  type TemplateFixtures,
  CONTRACT_ACCOUNT,
} from './contract/channel-contract.fixtures.js';
export type { ContractCheck } from './contract/contract-check.js';
export { checkChannelId, checkCapabilities } from './contract/identity.checks.js';
export { checkConfigSchema, checkSecretFields } from './contract/config.checks.js';
export { checkMissingSignature, checkForgedSignature, checkTamperedBody } from './contract/webhook-signature.checks.js';
export {
  checkSignedWebhooks,
  checkMalformedPayload,
  checkParseNeverThrows,
  checkInboundMessages,
  checkUnsupportedContent,
} from './contract/webhook-parse.checks.js';
export { checkHandshake } from './contract/webhook-handshake.checks.js';
export { checkFreeformPolicy, checkWindowLength } from './contract/policy.checks.js';
export { checkSendText, checkSendUnsupported } from './contract/send.checks.js';
export { checkTemplateLint, checkTemplateParameters, checkTemplateRender } from './contract/templates.checks.js';
