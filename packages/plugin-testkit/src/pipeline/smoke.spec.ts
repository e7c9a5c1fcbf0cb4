import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestObrol, startTestObrol } from '../test-env.js';

describe('smoke', () => {
  let env: TestObrol;
  beforeAll(async () => {
    env = await startTestObrol();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('boots and answers readyz', async () => {
    const r = await env.api('GET', '/readyz', undefined, { token: null });
    expect(r.body).toEqual({ status: 'ready', checks: { database: true, bus: true } });
  });
});
