import type { ChannelCapabilities } from '@obrol/contracts';
import type { ContractCheck } from './contract-check.js';

const CAPABILITY_KEYS = [
  'text',
  'media',
  'interactive',
  'location',
  'contacts',
  'reactions',
  'templates',
  'readReceipts',
  'sessionWindow',
] as const satisfies readonly (keyof ChannelCapabilities)[];
// Fails to compile when ChannelCapabilities gains a key this list lacks.
const _everyCapabilityListed: [Exclude<keyof ChannelCapabilities, (typeof CAPABILITY_KEYS)[number]>] extends [never] ? true : never = true;

/** The id goes into URLs and bus subjects: lower case `[a-z0-9_-]`, 1 to 64 characters. */
export const checkChannelId: ContractCheck = async (plugin) => {
  const failures: string[] = [];
  if (typeof plugin.id !== 'string' || !/^[a-z0-9_-]{1,64}$/.test(plugin.id)) {
    failures.push(`id ${JSON.stringify(plugin.id)} must be 1 to 64 characters of lower-case a-z, 0-9, _ or -`);
  }
  if (typeof plugin.displayName !== 'string' || plugin.displayName.trim() === '') failures.push('displayName must be a non-empty string');
  return failures;
};

/** Every capability is stated, as a boolean; nothing else is in the object. */
export const checkCapabilities: ContractCheck = async (plugin) => {
  const capabilities = plugin.capabilities as unknown as Record<string, unknown> | undefined;
  if (typeof capabilities !== 'object' || capabilities === null) return ['capabilities must be an object'];
  const failures = CAPABILITY_KEYS.filter((key) => typeof capabilities[key] !== 'boolean').map(
    (key) => `capabilities.${key} must be a boolean, got ${JSON.stringify(capabilities[key])}`,
  );
  const known = new Set<string>(CAPABILITY_KEYS);
  for (const key of Object.keys(capabilities)) if (!known.has(key)) failures.push(`capabilities.${key} is not a capability the core knows`);
  return failures;
};
