import type { ChannelContext, ChannelPlugin, WebhookRequest } from '@obrol/contracts';
import { type ChannelContractFixtures, bytesOf, contractContext } from './channel-contract.fixtures.js';
import type { ContractCheck } from './contract-check.js';
import { type SignatureLocation, forgedSignature, parsedResult, signatureLocation, signedRequest, withoutSignature } from './webhook-requests.js';

interface SignatureSetup<C> {
  ctx: ChannelContext<C>;
  /** The correctly signed request of the first fixture with an inbound message. */
  signed: WebhookRequest;
  fixtureName: string;
  at: SignatureLocation;
}

function setup<C>(plugin: ChannelPlugin<C>, fixtures: ChannelContractFixtures<C>): SignatureSetup<C> | string[] {
  const ctx = contractContext(plugin, fixtures);
  if (!ctx.ok) return [ctx.error];
  const fixture = fixtures.webhooks.find((w) => w.events.some((e) => e.kind === 'inbound_message')) ?? fixtures.webhooks[0];
  if (!fixture) return ['fixtures.webhooks is empty'];
  const at = signatureLocation(fixtures, ctx.value.config);
  if (!at.ok) return [at.error];
  return { ctx: ctx.value, signed: signedRequest(fixtures, fixture.body, ctx.value.config), fixtureName: fixture.name, at: at.value };
}

/** A request must be refused with WEBHOOK_SIGNATURE_INVALID, before its body is even read. */
function refusedAsUnsigned<C>(plugin: ChannelPlugin<C>, req: WebhookRequest, ctx: ChannelContext<C>, what: string): string[] {
  const result = parsedResult(plugin, req, ctx);
  if (!result.ok) return [`${what}: ${result.error}`];
  if (result.value.ok) return [`${what}: parseWebhook accepted it (${result.value.value.events.length} event(s))`];
  if (result.value.error.code !== 'WEBHOOK_SIGNATURE_INVALID') {
    return [`${what}: refused with ${result.value.error.code}, expected WEBHOOK_SIGNATURE_INVALID (check the signature before parsing)`];
  }
  return [];
}

/** No signature at all: refused. */
export const checkMissingSignature: ContractCheck = async (plugin, fixtures) => {
  const s = setup(plugin, fixtures);
  if (Array.isArray(s)) return s;
  return refusedAsUnsigned(plugin, withoutSignature(s.signed, s.at), s.ctx, `"${s.fixtureName}" without ${s.at.in}.${s.at.name}`);
};

/** A signature with one hex digit flipped: refused. */
export const checkForgedSignature: ContractCheck = async (plugin, fixtures) => {
  const s = setup(plugin, fixtures);
  if (Array.isArray(s)) return s;
  const signature = s.signed[s.at.in][s.at.name] ?? '';
  const forged = forgedSignature(signature);
  if (forged === null) return [`cannot forge the signature ${JSON.stringify(signature)}: it has no hex or base64 run of 16+ characters`];
  const req = { ...s.signed, [s.at.in]: { ...s.signed[s.at.in], [s.at.name]: forged } };
  return refusedAsUnsigned(plugin, req, s.ctx, `"${s.fixtureName}" with a forged ${s.at.in}.${s.at.name}`);
};

/** The body changed after signing (a trailing space, cut short, a changed digit): refused. */
export const checkTamperedBody: ContractCheck = async (plugin, fixtures) => {
  const s = setup(plugin, fixtures);
  if (Array.isArray(s)) return s;
  const body = s.signed.rawBody;
  const variants: [string, Buffer][] = [
    ['a space appended', Buffer.concat([body, bytesOf(' ')])],
    // No longer parses: a plugin that reads the body before the signature answers WEBHOOK_PAYLOAD_INVALID.
    ['its second half cut off', body.subarray(0, Math.floor(body.length / 2))],
  ];
  const text = body.toString('latin1');
  const digit = text.search(/[0-9](?=[^0-9]*$)/);
  if (digit >= 0) {
    const changed = Buffer.from(body);
    changed[digit] = 0x30 + ((changed[digit]! - 0x30 + 1) % 10);
    variants.push(['its last digit changed', changed]);
  }
  return variants.flatMap(([how, rawBody]) => refusedAsUnsigned(plugin, { ...s.signed, rawBody }, s.ctx, `"${s.fixtureName}" with ${how} after signing`));
};
