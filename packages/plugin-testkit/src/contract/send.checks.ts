import { randomUUID } from 'node:crypto';
import { type ChannelContext, type ChannelPlugin, type MessageContent, systemClock } from '@obrol/contracts';
import { CONTRACT_ACCOUNT, type ChannelContractFixtures, type SendTarget, describeThrown } from './channel-contract.fixtures.js';
import { type ContractCheck, resultShapeFailures } from './contract-check.js';

/** Starts the fixtures' send target, runs `use` against it, and stops it again. */
async function withSendTarget<C>(
  fixtures: ChannelContractFixtures<C>,
  use: (ctx: ChannelContext<C>, target: SendTarget<C>) => Promise<string[]>,
): Promise<string[]> {
  if (!fixtures.sendTarget) return ['fixtures.sendTarget is not given'];
  let target: SendTarget<C>;
  try {
    target = await fixtures.sendTarget();
  } catch (error) {
    return [`fixtures.sendTarget() failed: ${describeThrown(error)}`];
  }
  try {
    return await use({ ...CONTRACT_ACCOUNT, config: target.config, clock: fixtures.clock ?? systemClock }, target);
  } finally {
    await target.close?.();
  }
}

async function sendSafely<C>(plugin: ChannelPlugin<C>, content: MessageContent, target: SendTarget<C>, ctx: ChannelContext<C>) {
  try {
    return { returned: (await plugin.send({ messageId: `contract-${randomUUID()}`, to: target.to, content }, `contract-${randomUUID()}`, ctx)) as unknown };
  } catch (error) {
    return { threw: describeThrown(error) };
  }
}

/** A text message is accepted and gets the provider's id. */
export const checkSendText: ContractCheck = async (plugin, fixtures) =>
  withSendTarget(fixtures, async (ctx, target) => {
    const outcome = await sendSafely(plugin, fixtures.sendText ?? { type: 'text', text: 'Hello from the Obrol channel contract' }, target, ctx);
    if ('threw' in outcome) return [`send threw ${outcome.threw} (expected failures are Result values)`];
    const shape = resultShapeFailures(outcome.returned, 'send of a text message');
    if (shape.length) return shape;
    const result = outcome.returned as Awaited<ReturnType<typeof plugin.send>>;
    if (!result.ok) return [`send of a text message failed with ${result.error.code}: ${result.error.message}`];
    if (typeof result.value?.externalId !== 'string' || result.value.externalId === '') {
      return [`send of a text message returned no externalId (got ${JSON.stringify(result.value)}); the core matches statuses by it`];
    }
    return [];
  });

/** Content the channel cannot send comes back as a Result (typically CONTENT_NOT_SUPPORTED), never as a throw. */
export const checkSendUnsupported: ContractCheck = async (plugin, fixtures) =>
  withSendTarget(fixtures, async (ctx, target) => {
    const outcome = await sendSafely(plugin, { type: 'unsupported', providerType: 'x' }, target, ctx);
    if ('threw' in outcome) return [`send of unsupported content threw ${outcome.threw}; return { ok: false, error } instead`];
    const shape = resultShapeFailures(outcome.returned, 'send of unsupported content');
    if (shape.length > 0) return shape;
    const result = outcome.returned as { ok: boolean; error?: { code?: string } };
    if (result.ok) return ['send of unsupported content returned ok; received-only content cannot be sent, return CONTENT_NOT_SUPPORTED'];
    return result.error?.code === 'CONTENT_NOT_SUPPORTED' ? [] : [`send of unsupported content failed with ${result.error?.code}, expected CONTENT_NOT_SUPPORTED`];
  });
