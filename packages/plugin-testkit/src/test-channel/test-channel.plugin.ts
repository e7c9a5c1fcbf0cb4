import type { DynamicModule } from '@nestjs/common';
import { ObrolPlugin } from '@obrol/core';
import { createTestChannel } from './test.channel.js';
import { TestProvider } from './test-provider.js';

let provider = new TestProvider();

/**
 * The test channel as an Obrol plugin. `TestChannelPlugin.init({ provider })` lets a test hold
 * the provider its sends go to (the Vendure pattern: options on the plugin class).
 */
@ObrolPlugin({ channel: () => createTestChannel(provider), compatibility: '^0.1.0' })
export class TestChannelPlugin {
  static init(options: { provider: TestProvider }): DynamicModule {
    provider = options.provider;
    return { module: TestChannelPlugin };
  }
}
