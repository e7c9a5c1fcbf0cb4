import { type ChannelPlugin, ObrolError } from '@obrol/contracts';
import semver from 'semver';
import { CORE_VERSION } from '../version.js';
import type { ResolvedPlugin } from './obrol-plugin.decorator.js';

/** The channel plugins this process knows, by id. Built once at boot. */
export class ChannelRegistry {
  private readonly channels = new Map<string, ChannelPlugin<unknown>>();

  constructor(plugins: ResolvedPlugin[], coreVersion = CORE_VERSION) {
    for (const plugin of plugins) {
      if (!semver.validRange(plugin.compatibility)) {
        throw new Error(`Plugin ${plugin.name} declares an invalid compatibility range "${plugin.compatibility}".`);
      }
      if (!semver.satisfies(coreVersion, plugin.compatibility, { includePrerelease: true })) {
        throw new Error(
          `Plugin ${plugin.name} works with @obrol/core ${plugin.compatibility}, but this is ${coreVersion}: upgrade the plugin or pin a compatible core.`,
        );
      }
      const channel = plugin.channel as ChannelPlugin<unknown> | undefined;
      if (!channel) continue;
      if (!/^[a-z0-9_-]{1,64}$/.test(channel.id)) throw new Error(`Channel id "${channel.id}" of ${plugin.name} must be lower case [a-z0-9_-].`);
      if (this.channels.has(channel.id)) throw new Error(`Two plugins register the channel "${channel.id}".`);
      this.channels.set(channel.id, channel);
    }
  }

  /** The channel with this id, or a 404-ish domain error. */
  get(id: string): ChannelPlugin<unknown> {
    const channel = this.channels.get(id);
    if (!channel) throw new ObrolError('NOT_FOUND', `No channel plugin "${id}" is installed. Installed: ${this.ids().join(', ') || 'none'}.`);
    return channel;
  }

  has(id: string): boolean {
    return this.channels.has(id);
  }

  ids(): string[] {
    return [...this.channels.keys()];
  }

  all(): ChannelPlugin<unknown>[] {
    return [...this.channels.values()];
  }
}
