import type { DynamicModule } from '@nestjs/common';
import { ObrolPlugin } from '@obrol/core';
import { type WhatsAppChannelOptions, createWhatsAppChannel } from './whatsapp.channel.js';

let channelOptions: WhatsAppChannelOptions = {};

/**
 * The WhatsApp Cloud API channel as an Obrol plugin. List `WhatsAppPlugin` in the server's
 * plugins, or `WhatsAppPlugin.init({ fetch })` to give it another HTTP client.
 */
@ObrolPlugin({ channel: () => createWhatsAppChannel(channelOptions), compatibility: '^0.1.0' })
export class WhatsAppPlugin {
  static init(options: WhatsAppChannelOptions): DynamicModule {
    channelOptions = options;
    return { module: WhatsAppPlugin };
  }
}
