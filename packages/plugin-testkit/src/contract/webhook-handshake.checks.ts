import { describeThrown, contractContext } from './channel-contract.fixtures.js';
import { type ContractCheck, resultShapeFailures } from './contract-check.js';
import { asCoreRequest } from './webhook-requests.js';

/** verifyWebhook answers the challenge for the right token and refuses a wrong one. */
export const checkHandshake: ContractCheck = async (plugin, fixtures) => {
  const { handshake } = fixtures;
  if (!plugin.verifyWebhook) return handshake ? ['fixtures.handshake is given but the plugin has no verifyWebhook'] : [];
  if (!handshake) return ['the plugin has verifyWebhook: give fixtures.handshake so the suite can test it'];
  const ctx = contractContext(plugin, fixtures);
  if (!ctx.ok) return [ctx.error];
  const failures: string[] = [];
  const verify = (which: 'request' | 'wrongToken') => {
    try {
      const value: unknown = plugin.verifyWebhook!(asCoreRequest(handshake[which](ctx.value.config)), ctx.value);
      const shape = resultShapeFailures(value, `verifyWebhook with the ${which === 'request' ? 'right' : 'wrong'} token`);
      failures.push(...shape);
      return shape.length ? null : (value as ReturnType<NonNullable<typeof plugin.verifyWebhook>>);
    } catch (error) {
      failures.push(`verifyWebhook threw ${describeThrown(error)}`);
      return null;
    }
  };
  const right = verify('request');
  if (right && !right.ok) failures.push(`the right token was refused with ${right.error.code}: ${right.error.message}`);
  if (right?.ok) {
    if (right.value.status < 200 || right.value.status > 299) failures.push(`the handshake answered status ${right.value.status}, expected 2xx`);
    if (right.value.body !== handshake.challenge) failures.push(`the handshake answered ${JSON.stringify(right.value.body)}, expected the challenge ${JSON.stringify(handshake.challenge)}`);
  }
  const wrong = verify('wrongToken');
  if (wrong?.ok) failures.push('a wrong verify token was accepted');
  else if (wrong && wrong.error.code !== 'WEBHOOK_VERIFY_FAILED') failures.push(`a wrong verify token was refused with ${wrong.error.code}, expected WEBHOOK_VERIFY_FAILED`);
  return failures;
};
