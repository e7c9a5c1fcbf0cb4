import { ERROR_CODES } from '@obrol/contracts';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTestWebhook, testEvents, TEST_SIGNATURE_HEADER } from '../test-channel/test-webhook.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();
/** Fixed, so a failure replays exactly; bounded, so the suite stays fast. */
const SEED = 20261129;
const API_RUNS = 1200;
const WEBHOOK_RUNS = 400;

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; items?: JsonSchema; enum?: unknown[]; anyOf?: JsonSchema[]; oneOf?: JsonSchema[] };
interface Operation {
  method: string;
  path: string;
  query: string[];
  body?: JsonSchema;
  contentTypes: string[];
}

/** Percent-encodes anything, lone surrogates included (as the invalid UTF-8 bytes a client could send). */
const encodeAny = (text: string) =>
  text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g, (ch) => {
    const unit = ch.charCodeAt(0);
    if (ch.length === 1 && unit >= 0xd800 && unit <= 0xdfff) return [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    return encodeURIComponent(ch);
  });

/** Strings a careless parser or database chokes on. */
const nasty = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\uD800', '\uDFFF', 'x\uD83D', '%00', '%E0%A4%A', '%', '..', '../../etc/passwd', "' or 1=1 --", '{"t":"not a date","id":"x"}', 'javascript:alert(1)', '', ' ', '北京', '\u202Eevil'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 600 }),
);
const jsonish = fc.oneof(nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(nasty, { maxLength: 3 }), fc.dictionary(nasty, nasty, { maxKeys: 3 }));

/** Values shaped like the schema (to get past the first check), mixed with garbage. */
function valueFor(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return jsonish;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) return fc.oneof(...variants.map((s) => valueFor(s, depth + 1)), jsonish);
  if (schema.enum?.length) return fc.oneof(fc.constantFrom(...schema.enum), jsonish);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'object' || schema.properties) {
    const props = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, valueFor(s, depth + 1)]));
    return fc.oneof({ weight: 4, arbitrary: fc.record(props, { requiredKeys: [] }) }, { weight: 1, arbitrary: jsonish });
  }
  if (type === 'array') return fc.oneof(fc.array(valueFor(schema.items, depth + 1), { maxLength: 4 }), jsonish);
  if (type === 'string') return fc.oneof(nasty, fc.emailAddress(), fc.uuid(), fc.webUrl(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()));
  if (type === 'number' || type === 'integer') return fc.oneof(fc.integer({ min: -5, max: 300 }), fc.double(), jsonish);
  if (type === 'boolean') return fc.oneof(fc.boolean(), jsonish);
  return jsonish;
}

/** Every request body is checked the same way: 4xx is fine, 5xx never; errors always in the API's shape. */
function checkAnswer(what: string, status: number, body: unknown): string | null {
  if (status >= 500) return `${what}: ${status} ${JSON.stringify(body).slice(0, 300)}`;
  if (status < 400) return null;
  const error = body as { statusCode?: unknown; code?: unknown; message?: unknown } | null;
  if (!error || typeof error !== 'object') return `${what}: ${status} without a JSON error body`;
  if (error.statusCode !== status || typeof error.code !== 'string' || !(error.code in ERROR_CODES) || typeof error.message !== 'string') {
    return `${what}: ${status} not in {statusCode, code, message}: ${JSON.stringify(body).slice(0, 300)}`;
  }
  return null;
}

/** Thousands of generated malformed requests over every route of the OpenAPI document, and webhook garbage. */
for (const stack of stacks) describe.skipIf(!stack.run)(`fuzzing the HTTP surface on ${stack.name}`, () => {
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };
  let operations: Operation[] = [];
  const ids: string[] = [];
  let token: string;

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus });
    inbox = await env.createTestChannel();
    token = await env.adminToken();
    await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('fuzz-1', { id: '6281900000001', name: 'Fuzz' }, 'halo')] });
    const conversation = await eventually(async () => (await env.api('GET', '/api/v1/conversations')).body.items[0], 10_000, 'a conversation');
    ids.push(inbox.id, conversation.id, conversation.contact.id);
    const doc = (await env.api('GET', '/api/openapi.json', undefined, { token: null })).body as { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content: Record<string, { schema?: JsonSchema }> } }>> };
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const content = op.requestBody?.content ?? {};
        operations.push({
          method: method.toUpperCase(),
          path,
          query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
          body: content['application/json']?.schema,
          contentTypes: Object.keys(content),
        });
      }
    }
    // Logging out would end the session the run uses; it is fuzzed with other tokens only.
    operations = operations.filter((o) => o.path !== '/api/v1/auth/logout');
  });
  afterAll(async () => {
    await env?.close();
  });

  it(`answers ${API_RUNS} generated requests over every documented route with no 5xx and errors in the API's shape`, async () => {
    expect(operations.length).toBeGreaterThan(25);
    const pathParam = fc.oneof(fc.constantFrom(...ids), nasty.map((s) => encodeAny(s)), nasty.filter((s) => !/[/?#]/.test(s)), fc.constant('a'.repeat(300)));
    const request = fc.record({
      op: fc.constantFrom(...operations),
      params: fc.array(pathParam, { minLength: 3, maxLength: 3 }),
      query: fc.array(fc.tuple(fc.string({ maxLength: 12 }), nasty), { maxLength: 3 }),
      body: fc.oneof(fc.constant(undefined), fc.constant('raw'), fc.constant('schema')),
      raw: fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('{"email": ', '[]', 'null', '{"__proto__":{"x":1}}', '\u0000')),
      value: fc.constant(null),
      contentType: fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'text/csv', 'image/png', 'application/x-www-form-urlencoded', 'garbage/type'),
      auth: fc.constantFrom('admin', 'admin', 'admin', 'none', 'garbage'),
      idempotencyKey: fc.option(nasty.map((s) => s.replace(/[^\x20-\x7e]/g, '')), { nil: undefined }),
    }).chain((r) => valueFor(r.op.body).map((value) => ({ ...r, value })));

    let count = 0;
    const problems: string[] = [];
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let n = 0;
        let path = r.op.path.replace(/\{[^}]+\}/g, () => String(r.params[n++ % r.params.length]));
        const query = [...r.query, ...r.op.query.map((q, i) => [q, r.query[i]?.[1] ?? 'x'] as [string, string])];
        if (query.length) path += `?${query.map(([k, v]) => `${encodeAny(k)}=${encodeAny(v)}`).join('&')}`;
        const headers: Record<string, string> = { 'content-type': r.contentType };
        if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey;
        const payload = r.body === undefined || r.op.method === 'GET' || r.op.method === 'DELETE' ? undefined : r.body === 'raw' ? r.raw : JSON.stringify(r.value);
        const t = r.auth === 'admin' ? token : r.auth === 'garbage' ? 'obs_garbage\u00ff' : null;
        const res = await env.api(r.op.method, path, undefined, { token: t, headers, raw: payload }).catch((e: Error) => ({ status: 599, body: e.message }));
        count++;
        const problem = checkAnswer(`${r.op.method} ${path}`, res.status, res.body);
        if (problem) problems.push(problem);
        return problem === null;
      }),
      { seed: SEED, numRuns: API_RUNS, endOnFailure: true },
    );
    console.log(`fuzz on ${stack.name}: ${count} API requests, ${problems.length} 5xx or malformed errors`);
    expect(problems).toEqual([]);
    // 1,200 sequential requests; the default 30 s was at its edge on a loaded 2-core machine.
  }, 120_000);

  it(`answers ${WEBHOOK_RUNS} signed and unsigned garbage webhooks with no 5xx`, async () => {
    const event = fc.oneof(
      fc.record({ type: fc.constantFrom('message', 'status', 'template_status', 'nonsense'), id: nasty, from: fc.record({ id: nasty, name: nasty, phone: nasty }, { requiredKeys: [] }), timestamp: fc.oneof(nasty, fc.date({ noInvalidDate: true }).map((d) => d.toISOString())), text: nasty, status: fc.constantFrom('sent', 'delivered', 'read', 'failed', 'x') }, { requiredKeys: [] }),
      jsonish,
    );
    const webhook = fc.record({
      body: fc.oneof(fc.record({ events: fc.array(event, { maxLength: 4 }) }).map((b) => JSON.stringify(b)), fc.string({ unit: 'binary', maxLength: 300 }), jsonish.map((v) => JSON.stringify(v) ?? 'null')),
      signature: fc.constantFrom('valid', 'valid', 'none', 'wrong'),
      target: fc.oneof(fc.constant(`/webhooks/test/${inbox.id}`), nasty.map((s) => `/webhooks/${encodeAny(s) || 'x'}/${inbox.id}`), nasty.map((s) => `/webhooks/test/${encodeAny(s) || 'x'}`)),
      method: fc.constantFrom('POST', 'POST', 'POST', 'GET'),
    });
    let count = 0;
    const problems: string[] = [];
    await fc.assert(
      fc.asyncProperty(webhook, async (w) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (w.signature !== 'none') headers[TEST_SIGNATURE_HEADER] = w.signature === 'valid' ? signTestWebhook(w.body, inbox.webhookSecret) : 'deadbeef';
        const res = await env.api(w.method, w.target, undefined, { token: null, headers, raw: w.method === 'POST' ? w.body : undefined });
        count++;
        const problem = checkAnswer(`${w.method} ${w.target}`, res.status, res.body);
        if (problem) problems.push(problem);
        return problem === null;
      }),
      { seed: SEED, numRuns: WEBHOOK_RUNS, endOnFailure: true },
    );
    console.log(`fuzz on ${stack.name}: ${count} webhook requests, ${problems.length} 5xx or malformed errors`);
    expect(problems).toEqual([]);
    expect((await env.api('GET', '/readyz', undefined, { token: null })).body.status).toBe('ready');
  });
});
