import { type ChannelEvent, type ChannelPlugin, type ChannelContext, errorCodeSchema, messageContentSchema } from '@obrol/contracts';
import { type ChannelContractFixtures, bytesOf, contractContext } from './channel-contract.fixtures.js';
import { type ContractCheck, resultShapeFailures } from './contract-check.js';
import { firstDifference } from './value-difference.js';
import { parseSafely, parsedResult, signedRequest } from './webhook-requests.js';

const SHOWN = 5;
const MUTATIONS_PER_FIXTURE = 300;

function summarise(failures: string[]): string[] {
  return failures.length <= SHOWN ? failures : [...failures.slice(0, SHOWN), `…and ${failures.length - SHOWN} more`];
}

/** Each fixture, correctly signed, parses to exactly its expected events. */
export const checkSignedWebhooks: ContractCheck = async (plugin, fixtures) => {
  const ctx = contractContext(plugin, fixtures);
  if (!ctx.ok) return [ctx.error];
  if (fixtures.webhooks.length === 0) return ['fixtures.webhooks is empty'];
  const failures: string[] = [];
  for (const fixture of fixtures.webhooks) {
    const result = parsedResult(plugin, signedRequest(fixtures, fixture.body, ctx.value.config), ctx.value);
    if (!result.ok) {
      failures.push(`"${fixture.name}": ${result.error}`);
    } else if (!result.value.ok) {
      failures.push(`"${fixture.name}": refused with ${result.value.error.code}: ${result.value.error.message}`);
    } else {
      const difference = firstDifference(result.value.value.events, fixture.events, 'events');
      if (difference) failures.push(`"${fixture.name}": ${difference}`);
    }
  }
  return failures;
};

/** A correctly signed body that is not valid JSON is refused with WEBHOOK_PAYLOAD_INVALID, not thrown. */
export const checkMalformedPayload: ContractCheck = async (plugin, fixtures) => {
  const ctx = contractContext(plugin, fixtures);
  if (!ctx.ok) return [ctx.error];
  const result = parsedResult(plugin, signedRequest(fixtures, fixtures.malformedBody ?? '{"truncated": [', ctx.value.config), ctx.value);
  if (!result.ok) return [`a signed malformed body: ${result.error}`];
  if (result.value.ok) return ['a signed malformed body was accepted'];
  if (result.value.error.code !== 'WEBHOOK_PAYLOAD_INVALID') return [`a signed malformed body was refused with ${result.value.error.code}, expected WEBHOOK_PAYLOAD_INVALID`];
  return resultShapeFailures(result.value, 'parseWebhook of a signed malformed body');
};

/** Every path to a value in a JSON document (not the root). */
function jsonPaths(value: unknown, prefix: (string | number)[] = [], into: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      into.push([...prefix, i]);
      jsonPaths(item, [...prefix, i], into);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      into.push([...prefix, key]);
      jsonPaths(item, [...prefix, key], into);
    }
  }
  return into;
}

function replacedAt(document: unknown, path: (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(document) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = replacement;
  return copy;
}

/** Signed bodies a careless parser trips on: the fixtures, hostile scraps, and each fixture with one value nulled or retyped. */
function hostileBodies<C>(fixtures: ChannelContractFixtures<C>): [string, Buffer][] {
  const bodies: [string, Buffer][] = ['', 'null', 'true', '0', '"text"', '[]', '{}', '[{}]', '[null]', '\u0000\uffff', '{"a":'].map((b) => [
    `the body ${JSON.stringify(b)}`,
    bytesOf(b),
  ]);
  const named = [...fixtures.webhooks, ...(fixtures.unsupportedContent ? [fixtures.unsupportedContent] : [])];
  for (const fixture of named) {
    const raw = bytesOf(fixture.body);
    bodies.push([`"${fixture.name}"`, raw]);
    let document: unknown;
    try {
      document = JSON.parse(raw.toString('utf8'));
    } catch {
      continue;
    }
    for (const path of jsonPaths(document).slice(0, MUTATIONS_PER_FIXTURE)) {
      const where = path.join('.');
      bodies.push([`"${fixture.name}" with ${where} = null`, bytesOf(replacedAt(document, path, null) as object)]);
      const current = path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], document);
      const retyped = typeof current === 'object' && current !== null ? 'x' : {};
      bodies.push([`"${fixture.name}" with ${where} = ${JSON.stringify(retyped)}`, bytesOf(replacedAt(document, path, retyped) as object)]);
    }
  }
  return bodies;
}

/** parseWebhook returns a Result for every fixture and every broken variant of one; it never throws. */
export const checkParseNeverThrows: ContractCheck = async (plugin, fixtures) => {
  const ctx = contractContext(plugin, fixtures);
  if (!ctx.ok) return [ctx.error];
  const failures: string[] = [];
  for (const [what, body] of hostileBodies(fixtures)) {
    const outcome = parseSafely(plugin, signedRequest(fixtures, body, ctx.value.config), ctx.value);
    if ('threw' in outcome) {
      failures.push(`${what}: parseWebhook threw ${outcome.threw}`);
      continue;
    }
    failures.push(...resultShapeFailures(outcome.returned, `parseWebhook of ${what}`));
    const error = (outcome.returned as { ok?: boolean; error?: { code?: unknown } }).error;
    if (error && !errorCodeSchema.safeParse(error.code).success) failures.push(`${what}: error code ${JSON.stringify(error.code)} is not an Obrol error code`);
  }
  return summarise(failures);
};

function parsedEvents<C>(plugin: ChannelPlugin<C>, fixtures: ChannelContractFixtures<C>, ctx: ChannelContext<C>, name: string, body: string | Buffer | object) {
  const result = parsedResult(plugin, signedRequest(fixtures, body, ctx.config), ctx);
  if (!result.ok) return { failure: `"${name}": ${result.error}` };
  if (!result.value.ok) return { failure: `"${name}": refused with ${result.value.error.code}: ${result.value.error.message}` };
  return { events: result.value.value.events as ChannelEvent[] };
}

function isValidDate(value: unknown): boolean {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

function inboundFailures(event: ChannelEvent, where: string): string[] {
  const failures: string[] = [];
  if (event.kind !== 'inbound_message') {
    if (!isValidDate(event.timestamp)) failures.push(`${where} (${event.kind}): timestamp must be a valid Date, got ${String(event.timestamp)}`);
    return failures;
  }
  if (typeof event.externalId !== 'string' || event.externalId === '') failures.push(`${where}: externalId must be a non-empty string (the core dedupes by it)`);
  if (typeof event.from?.externalId !== 'string' || event.from.externalId === '') failures.push(`${where}: from.externalId must be a non-empty string`);
  if (!isValidDate(event.timestamp)) failures.push(`${where}: timestamp must be a valid Date (the reply window counts from it), got ${String(event.timestamp)}`);
  if (typeof event.opensWindow !== 'boolean') failures.push(`${where}: opensWindow must be a boolean`);
  const content = messageContentSchema.safeParse(event.content);
  if (!content.success) {
    failures.push(`${where}: content does not pass messageContentSchema (${content.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')})`);
  }
  return failures;
}

/** The fixtures hold an inbound message, and every inbound message carries what the core stores. */
export const checkInboundMessages: ContractCheck = async (plugin, fixtures) => {
  const ctx = contractContext(plugin, fixtures);
  if (!ctx.ok) return [ctx.error];
  const failures: string[] = [];
  if (!fixtures.webhooks.some((w) => w.events.some((e) => e.kind === 'inbound_message'))) {
    failures.push('fixtures.webhooks must include at least one payload with an inbound message');
  }
  let inbound = 0;
  for (const fixture of fixtures.webhooks) {
    const parsed = parsedEvents(plugin, fixtures, ctx.value, fixture.name, fixture.body);
    if ('failure' in parsed) {
      failures.push(parsed.failure!);
      continue;
    }
    parsed.events!.forEach((event, i) => {
      if (event.kind === 'inbound_message') inbound++;
      failures.push(...inboundFailures(event, `"${fixture.name}" events[${i}]`));
    });
  }
  if (inbound === 0 && failures.length === 0) failures.push('no fixture produced an inbound_message event');
  return failures;
};

/** Messages the channel cannot normalise are kept as `unsupported`, not dropped. */
export const checkUnsupportedContent: ContractCheck = async (plugin, fixtures) => {
  const ctx = contractContext(plugin, fixtures);
  if (!ctx.ok) return [ctx.error];
  const fixture = fixtures.unsupportedContent;
  if (!fixture) return ['fixtures.unsupportedContent is not given'];
  const parsed = parsedEvents(plugin, fixtures, ctx.value, fixture.name, fixture.body);
  if ('failure' in parsed) return [`${parsed.failure} (unknown content must be kept as "unsupported", not refused)`];
  const inbound = parsed.events!.filter((e) => e.kind === 'inbound_message');
  if (inbound.length === 0) return [`"${fixture.name}": no inbound_message event: the message was dropped`];
  return inbound.flatMap((event, i) => {
    const failures = inboundFailures(event, `"${fixture.name}" inbound[${i}]`);
    if (event.content?.type !== 'unsupported') failures.push(`"${fixture.name}" inbound[${i}]: content type is ${JSON.stringify(event.content?.type)}, expected "unsupported"`);
    else if (!event.content.providerType) failures.push(`"${fixture.name}" inbound[${i}]: unsupported content needs the provider's name for it in providerType`);
    return failures;
  });
};
