export { TestProvider, type ProviderSend } from './test-channel/test-provider.js';
export { createTestChannel, testChannelConfigSchema, type TestChannelConfig } from './test-channel/test.channel.js';
export { TestChannelPlugin } from './test-channel/test-channel.plugin.js';
export { signTestWebhook, testEvents, testWebhookSchema, TEST_SIGNATURE_HEADER, type TestWebhook } from './test-channel/test-webhook.js';
export { TestClock } from './test-clock.js';
export * from './test-env.js';
