import type { PluginRef } from '@obrol/core';
import { type BroadcastOptions, BroadcastsPlugin } from '@obrol/plugin-broadcasts';
import { WhatsAppPlugin } from '@obrol/whatsapp';

/** The plugins this server ships with. A deployment adds its own here. */
export function installedPlugins(options: { allowInsecureGraph?: boolean; broadcasts?: Partial<BroadcastOptions> } = {}): PluginRef[] {
  return [WhatsAppPlugin.init({ allowInsecureGraph: options.allowInsecureGraph ?? false }), BroadcastsPlugin.init(options.broadcasts)];
}
