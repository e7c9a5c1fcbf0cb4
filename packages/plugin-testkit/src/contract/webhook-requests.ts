import {
  type ChannelContext,
  type ChannelPlugin,
  type ParsedWebhook,
  type Result,
  type ChannelError,
  type WebhookRequest,
  err,
  ok,
} from '@obrol/contracts';
import { type ChannelContractFixtures, bytesOf, describeThrown } from './channel-contract.fixtures.js';

/** Header names in lower case, as the core hands requests to plugins. */
export function asCoreRequest(req: WebhookRequest): WebhookRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
  return { method: req.method ?? 'POST', headers, query: { ...(req.query ?? {}) }, rawBody: req.rawBody ?? Buffer.alloc(0) };
}

/** The fixtures' correctly signed request for these bytes. */
export function signedRequest<C>(fixtures: ChannelContractFixtures<C>, body: string | Buffer | object, config: C): WebhookRequest {
  return asCoreRequest(fixtures.signedRequest(bytesOf(body), config));
}

export type ParseOutcome = { threw: string } | { returned: unknown };

/** Calls `parseWebhook`, turning a throw into a value so a check can report it. */
export function parseSafely<C>(plugin: ChannelPlugin<C>, req: WebhookRequest, ctx: ChannelContext<C>): ParseOutcome {
  try {
    return { returned: plugin.parseWebhook(req, ctx) };
  } catch (error) {
    return { threw: describeThrown(error) };
  }
}

/** The parse result when the plugin returned a proper Result, else a sentence saying what it did. */
export function parsedResult<C>(
  plugin: ChannelPlugin<C>,
  req: WebhookRequest,
  ctx: ChannelContext<C>,
): Result<Result<ParsedWebhook, ChannelError>, string> {
  const outcome = parseSafely(plugin, req, ctx);
  if ('threw' in outcome) return err(`parseWebhook threw ${outcome.threw}`);
  const value = outcome.returned as { ok?: unknown } | null;
  if (typeof value !== 'object' || value === null || typeof value.ok !== 'boolean') return err(`parseWebhook returned ${String(value)}, not a Result`);
  return ok(value as Result<ParsedWebhook, ChannelError>);
}

export interface SignatureLocation {
  in: 'headers' | 'query';
  name: string;
}

/** Where the signature travels: given by the fixtures, or the one header/query value that changes with the body. */
export function signatureLocation<C>(fixtures: ChannelContractFixtures<C>, config: C): Result<SignatureLocation, string> {
  if (fixtures.signature) return ok({ in: fixtures.signature.in, name: fixtures.signature.in === 'headers' ? fixtures.signature.name.toLowerCase() : fixtures.signature.name });
  const a = signedRequest(fixtures, '{"probe":1}', config);
  const b = signedRequest(fixtures, '{"probe":2}', config);
  const changing: SignatureLocation[] = [];
  for (const where of ['headers', 'query'] as const) {
    for (const name of new Set([...Object.keys(a[where]), ...Object.keys(b[where])])) {
      if (a[where][name] !== b[where][name]) changing.push({ in: where, name });
    }
  }
  if (changing.length === 1) return ok(changing[0]!);
  const found = changing.map((l) => `${l.in}.${l.name}`).join(', ') || 'none';
  return err(`cannot tell which value carries the signature (values that change with the body: ${found}); set fixtures.signature`);
}

/** The request with the signature removed. */
export function withoutSignature(req: WebhookRequest, at: SignatureLocation): WebhookRequest {
  const values = { ...req[at.in] };
  delete values[at.name];
  return { ...req, [at.in]: values };
}

/** The signature with one digit flipped in the middle of its longest hex run (or its base64 run), or null. */
export function forgedSignature(signature: string): string | null {
  const longest = (pattern: RegExp) => [...signature.matchAll(pattern)].sort((x, y) => y[0].length - x[0].length)[0];
  const hex = longest(/[0-9a-fA-F]{16,}/g);
  if (hex) {
    const at = hex.index + Math.floor(hex[0].length / 2);
    return signature.slice(0, at) + (signature[at] === '0' ? '1' : '0') + signature.slice(at + 1);
  }
  const base64 = longest(/[A-Za-z0-9+/_-]{16,}/g);
  if (base64) return signature.slice(0, base64.index) + (signature[base64.index] === 'A' ? 'B' : 'A') + signature.slice(base64.index + 1);
  return null;
}
