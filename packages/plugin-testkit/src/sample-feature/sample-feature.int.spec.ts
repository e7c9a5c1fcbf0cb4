import { MikroORM, migrationsTableOf } from '@obrol/core';
import { migratedSchemaDrift } from '@obrol/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvents } from '../test-channel/test-webhook.js';
import { type TestObrol, eventually, startTestObrol, testServices } from '../test-env.js';
import { availableStacks } from '../pipeline/stacks.js';
import { SampleFeaturePlugin, sampleCommandSubject } from './test-support/sample-feature.plugin.js';

const stacks = await availableStacks();

async function visits(env: TestObrol): Promise<{ source: string; subject: string }[]> {
  return (await env.app.app.get(MikroORM).em.fork().getConnection().execute('select source, subject from sample_visits')) as { source: string; subject: string }[];
}

/**
 * Issue 6's "done": a feature plugin adds a table with its own migrations, a consumer of a bus
 * command, a periodic job and an after-commit hook, through core's public index only.
 */
for (const stack of stacks) describe.skipIf(!stack.run)(`a feature plugin on ${stack.name}`, () => {
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus, plugins: [SampleFeaturePlugin] });
    inbox = await env.createTestChannel('Support');
  });
  afterAll(async () => {
    await env?.close();
  });

  it('gets its table from its own migrations, recorded in its own table', async () => {
    const connection = env.app.app.get(MikroORM).em.fork().getConnection();
    const applied = (await connection.execute(`select name from ${migrationsTableOf({ name: 'SampleFeaturePlugin' })}`)) as { name: string }[];
    expect(applied.map((m) => m.name)).toEqual(['migration-20261129000000']);
    expect(await visits(env)).toBeInstanceOf(Array);
  });

  it('hears a received message through its @OnEvent hook, after the commit', async () => {
    const posted = await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('sample-in-1', { id: '6281100000077' }, 'Halo')] });
    expect(posted.status).toBe(200);
    await eventually(async () => (await visits(env)).find((v) => v.source === 'hook' && v.subject === 'message.received sample-in-1'), 10_000, 'the hook');
  });

  it('consumes its own bus command', async () => {
    await env.bus.publish(sampleCommandSubject('default'), { eventId: `sample-${Date.now()}`, note: 'visit from the bus' } as { eventId: string });
    await eventually(async () => (await visits(env)).find((v) => v.source === 'command' && v.subject === 'visit from the bus'), 10_000, 'the consumer');
  });

  it('runs its periodic job', async () => {
    await eventually(async () => (await visits(env)).find((v) => v.source === 'job'), 10_000, 'the job');
  });

  it('ships migrations that build exactly the schema its entities describe', async () => {
    const postgresAdminUrl = stack.database === 'postgres' ? testServices.postgresUrl : undefined;
    expect(await migratedSchemaDrift({ plugins: [SampleFeaturePlugin], postgresAdminUrl })).toEqual([]);
  });
});
