import { MikroORM, ormOptions } from '@obrol/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestObrol, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();

/** Racing creates are a 409, and a failed statement's values never reach an error (and so a log). */
for (const stack of stacks) describe.skipIf(!stack.run)(`unique violations and database errors on ${stack.name}`, () => {
  let env: TestObrol;

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('five concurrent creates of the same agent are one 201 and four 409 CONFLICT', async () => {
    await env.adminToken();
    const body = { email: 'twin@example.test', name: 'Twin', password: 'twin-password-long-1' };
    const results = await Promise.all(Array.from({ length: 5 }, () => env.api('POST', '/api/v1/agents', body)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body).toMatchObject({ statusCode: 409, code: 'CONFLICT' });
  });

  it("a failed statement's error names the constraint but carries none of its values", async () => {
    const em = env.app.app.get(MikroORM).em.fork();
    const agent = await em.findOneOrFail<{ tenantId: string; email: string }>('Agent', { email: 'twin@example.test' });
    const secret = 'scrypt$16384$8$1$c2VjcmV0LXNhbHQ$TOP-SECRET-HASH';
    const now = new Date();
    const duplicate = { id: '01a00000-0000-7000-8000-00000000beef', tenantId: agent.tenantId, email: 'twin@example.test', name: 'Twin', role: 'agent', active: true, passwordHash: secret, createdAt: now, updatedAt: now };
    const error = await em
      .insert('Agent', duplicate)
      .then(() => null, (e: Error) => e);
    expect(error?.name, error?.message).toBe('UniqueConstraintViolationException');
    const everything = `${error!.message}\n${error!.stack}\n${JSON.stringify(error)}\n${JSON.stringify(Object.entries(error!))}`;
    expect(everything).not.toContain('TOP-SECRET-HASH');
    expect(everything).not.toContain('twin@example.test');
    expect(error!.message).toMatch(/unique/i);
  });

  it('a cursor whose time or id is not one is a 400, not a 500', async () => {
    for (const value of [{ t: 'not a date', id: 'x' }, { t: '2026-11-20T08:00:00.000Z', id: "x' or 1=1" }, { t: 5, id: null }]) {
      const cursor = Buffer.from(JSON.stringify(value)).toString('base64url');
      const r = await env.api('GET', `/api/v1/conversations?cursor=${cursor}`);
      expect(r.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    }
    const first = await env.api('GET', '/api/v1/conversations?limit=1');
    expect(first.status).toBe(200);
  });

  it('SQL logging, when switched on, never includes parameter values', () => {
    expect(ormOptions({ url: env.databaseUrl, dataDir: env.dataDir, debug: true }).debug).not.toContain('query-params');
  });
});
