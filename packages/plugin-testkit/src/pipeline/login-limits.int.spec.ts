import { randomBytes, scryptSync } from 'node:crypto';
import { MikroORM } from '@obrol/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type TestObrol, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();

/** Brute force: the limits hold whatever X-Forwarded-For says, and across api processes. */
for (const stack of stacks) describe.skipIf(!stack.run)(`login limits on ${stack.name}`, () => {
  const envs: TestObrol[] = [];
  afterAll(async () => {
    for (const env of envs.reverse()) await env.close();
  });
  const login = (env: TestObrol, email: string, password: string, forwardedFor: string) =>
    env.api('POST', '/api/v1/auth/login', { email, password }, { token: null, headers: { 'x-forwarded-for': forwardedFor } });

  it('ignores X-Forwarded-For from a client that is not a trusted proxy', async () => {
    const env = await startTestObrol({ database: stack.database, bus: stack.bus, loginRateLimitPerMinute: 5 });
    envs.push(env);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await login(env, 'nobody@example.test', `wrong-${i}`, `203.0.113.${i + 1}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('limits failures per account from rotating addresses on every api process, and then refuses the right password too', async () => {
    const options = { database: stack.database, bus: stack.bus, trustedProxies: ['127.0.0.1', '::1'], loginFailuresPerAccount: 4, loginRateLimitPerMinute: 100 };
    const first = await startTestObrol(options);
    envs.push(first);
    const second =
      stack.database === 'postgres'
        ? await startTestObrol({ ...options, role: 'api', databaseUrl: first.databaseUrl, natsNamespace: first.natsNamespace, secretKey: first.secretKey })
        : first;
    if (second !== first) envs.push(second);
    expect((await first.api('POST', '/api/v1/agents', { email: 'victim@example.test', name: 'Victim', password: 'victim-password-1' })).status).toBe(201);

    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await login(i % 2 ? second : first, 'Victim@example.test', `guess-${i}`, `198.51.100.${i + 1}`);
      statuses.push(r.status);
      if (r.status === 429) expect(r.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    const right = await login(second, 'victim@example.test', 'victim-password-1', '192.0.2.200');
    expect(right.status).toBe(429);
    expect(right.body.code).toBe('RATE_LIMITED');
    // Another account is not affected.
    expect((await login(second, first.adminEmail, first.adminPassword, '192.0.2.201')).status).toBe(200);
  });

  it('hashes a password made with older parameters again at its next login', async () => {
    const env = await startTestObrol({ database: stack.database, bus: stack.bus });
    envs.push(env);
    expect((await env.api('POST', '/api/v1/agents', { email: 'old-hash@example.test', name: 'Old hash', password: 'old-hash-password-1' })).status).toBe(201);
    // As an earlier default stored it: scrypt$N$r$p$salt$key, here at N=512.
    const salt = randomBytes(16);
    const old = ['scrypt', 512, 8, 1, salt.toString('base64url'), scryptSync('old-hash-password-1', salt, 32, { N: 512, r: 8, p: 1 }).toString('base64url')].join('$');
    const connection = env.app.app.get(MikroORM).em.fork().getConnection();
    await connection.execute('update agents set password_hash = ? where email = ?', [old, 'old-hash@example.test']);
    const storedHash = async () => ((await connection.execute('select password_hash from agents where email = ?', ['old-hash@example.test'])) as { password_hash: string }[])[0]!.password_hash;

    expect((await login(env, 'old-hash@example.test', 'wrong-password-1', '192.0.2.10')).status).toBe(401);
    expect(await storedHash()).toBe(old);
    expect((await login(env, 'old-hash@example.test', 'old-hash-password-1', '192.0.2.10')).status).toBe(200);
    const renewed = await storedHash();
    expect(renewed).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect((await login(env, 'old-hash@example.test', 'old-hash-password-1', '192.0.2.10')).status).toBe(200);
    expect(await storedHash()).toBe(renewed);
  });
});
