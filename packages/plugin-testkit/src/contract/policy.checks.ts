import { type ChannelPlugin, type ConversationFacts, type SessionWindow, systemClock } from '@obrol/contracts';
import { describeThrown } from './channel-contract.fixtures.js';
import type { ContractCheck } from './contract-check.js';

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

function ask(plugin: ChannelPlugin<unknown>, facts: ConversationFacts, now: Date): SessionWindow | string {
  try {
    const window = plugin.policy.canSendFreeform(facts, now);
    if (typeof window?.open !== 'boolean') return `canSendFreeform returned ${JSON.stringify(window)}, not { open, expiresAt }`;
    return window;
  } catch (error) {
    return `canSendFreeform threw ${describeThrown(error)}`;
  }
}

const at = (ms: number) => new Date(ms).toISOString();

/**
 * With a reply window: closed before the customer ever wrote, open just after they did. Without
 * one: always open, no expiry.
 */
export const checkFreeformPolicy: ContractCheck = async (plugin, fixtures) => {
  const policyOf = plugin as ChannelPlugin<unknown>;
  const t0 = (fixtures.clock ?? systemClock).now().getTime();
  const failures: string[] = [];
  if (plugin.capabilities.sessionWindow) {
    const before = ask(policyOf, { lastInboundAt: null }, new Date(t0));
    if (typeof before === 'string') failures.push(before);
    else if (before.open) failures.push('with no inbound message yet the window must be closed (only a template may start the conversation)');
    const after = ask(policyOf, { lastInboundAt: new Date(t0) }, new Date(t0 + 1));
    if (typeof after === 'string') failures.push(after);
    else {
      if (!after.open) failures.push(`1 ms after an inbound message at ${at(t0)} the window must be open`);
      if (!(after.expiresAt instanceof Date) || after.expiresAt.getTime() <= t0) {
        failures.push(`after an inbound message expiresAt must be a Date after it (the inbox shows a countdown), got ${String(after.expiresAt)}`);
      }
    }
    return failures;
  }
  for (const lastInboundAt of [null, new Date(t0 - YEAR_MS)]) {
    const window = ask(policyOf, { lastInboundAt }, new Date(t0));
    if (typeof window === 'string') failures.push(window);
    else if (!window.open || window.expiresAt !== null) {
      failures.push(`a channel without a reply window must always be open with expiresAt null; got ${JSON.stringify(window)} for lastInboundAt ${lastInboundAt ? at(lastInboundAt.getTime()) : 'null'}`);
    }
  }
  return failures;
};

/** The window's edges: open one second before `windowMs` has passed, closed one second after (23:59:59 / 24:00:01). */
export const checkWindowLength: ContractCheck = async (plugin, fixtures) => {
  const { windowMs } = fixtures;
  if (windowMs === undefined) return ['fixtures.windowMs is not given'];
  if (!plugin.capabilities.sessionWindow) return ['fixtures.windowMs is given but capabilities.sessionWindow is false'];
  const policyOf = plugin as ChannelPlugin<unknown>;
  const t0 = (fixtures.clock ?? systemClock).now().getTime();
  const failures: string[] = [];
  const lastInboundAt = new Date(t0);
  const justBefore = ask(policyOf, { lastInboundAt }, new Date(t0 + windowMs - 1000));
  if (typeof justBefore === 'string') failures.push(justBefore);
  else {
    if (!justBefore.open) failures.push(`the window must still be open ${windowMs - 1000} ms after the inbound message`);
    if (justBefore.expiresAt?.getTime() !== t0 + windowMs) failures.push(`expiresAt must be ${at(t0 + windowMs)}, got ${String(justBefore.expiresAt?.toISOString?.() ?? justBefore.expiresAt)}`);
  }
  const justAfter = ask(policyOf, { lastInboundAt }, new Date(t0 + windowMs + 1000));
  if (typeof justAfter === 'string') failures.push(justAfter);
  else if (justAfter.open) failures.push(`the window must be closed ${windowMs + 1000} ms after the inbound message`);
  return failures;
};
