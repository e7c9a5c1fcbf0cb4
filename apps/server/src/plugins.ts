import type { PluginRef } from '@obrol/core';
import { WhatsAppPlugin } from '@obrol/whatsapp';

/** The plugins this server ships with. A deployment adds its own here. */
export function installedPlugins(options: { allowInsecureGraph?: boolean } = {}): PluginRef[] {
  return [WhatsAppPlugin.init({ allowInsecureGraph: options.allowInsecureGraph ?? false })];
}
