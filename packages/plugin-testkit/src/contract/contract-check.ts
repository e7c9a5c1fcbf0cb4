import { type ChannelPlugin, channelErrorSchema } from '@obrol/contracts';
import type { ChannelContractFixtures } from './channel-contract.fixtures.js';

/**
 * One check of the channel contract: a plain function that returns what is wrong (empty when
 * the plugin passes). `describeChannelContract` asserts each list is empty; a test can also
 * call a check directly, e.g. to prove a broken plugin fails it.
 */
export type ContractCheck = <C>(plugin: ChannelPlugin<C>, fixtures: ChannelContractFixtures<C>) => Promise<string[]>;

/** What is wrong with a value that should be a `Result` whose error is a `ChannelError`. */
export function resultShapeFailures(value: unknown, what: string): string[] {
  if (typeof value !== 'object' || value === null || typeof (value as { ok?: unknown }).ok !== 'boolean') {
    return [`${what} returned ${value instanceof Promise ? 'a Promise' : String(value)}, not a Result ({ ok: true, value } or { ok: false, error })`];
  }
  const result = value as { ok: boolean; error?: unknown };
  if (result.ok) return [];
  const parsed = channelErrorSchema.safeParse(result.error);
  if (parsed.success) return [];
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return [`${what} returned an error that is not a ChannelError (${issues}): ${JSON.stringify(result.error)}`];
}
