// The broadcasts plugin on the test channel: its audience filter against both databases.
import { MikroORM } from '@mikro-orm/core';
import { newId } from '@obrol/core';
import { type TestObrol, availableStacks, eventually, startTestObrol } from '@obrol/plugin-testkit';
import { BroadcastEngine, BroadcastsPlugin } from '@obrol/plugin-broadcasts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// A start of 20,000 contacts is planned by a worker on a loaded 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

const stacks = await availableStacks();

/** Recipients as stored, in their order. */
interface StoredRecipient {
  phone: string;
  contact_id: string | null;
  csv_row: number | string | null;
  status: string;
  reason_code: string | null;
  parameters: unknown;
}

/**
 * A broadcast's audience chosen by tags and attributes (ADR 0042): the database matches the
 * contacts and inserts their recipients, with every value bound; the process reads no contact
 * outside the audience. Opt-outs, numbers both uploaded and chosen, and contacts of other
 * numbers are handled as they were when the process matched them.
 */
for (const stack of stacks) describe.skipIf(!stack.run)(`an audience filter on ${stack.name}`, () => {
  let env: TestObrol;
  let orm: MikroORM;
  let inbox: string;
  let other: string;
  const template = { name: 'filter_hello', language: 'en' };
  // The contact's name in the body: chosen recipients are planned from their contact.
  const variables = { body: [{ source: { from: 'contact', field: 'name', fallback: 'Kak' } }] };

  beforeAll(async () => {
    // One message a second: the hand-out barely moves while recipients are looked at.
    env = await startTestObrol({ database: stack.database, bus: stack.bus, plugins: [BroadcastsPlugin.init({ defaultMessagesPerSecond: 1 })] });
    orm = env.app.app.get(MikroORM);
    inbox = (await env.createTestChannel('Filtered')).id;
    other = (await env.createTestChannel('Another number')).id;
    env.provider.templates.push({ ...template, category: 'UTILITY', parameterFormat: 'positional', components: { body: { text: 'Hi {{1}}' } }, status: 'APPROVED', externalId: 'tpl-filter' });
    expect((await env.api('POST', `/api/v1/channels/${inbox}/templates/sync`)).status).toBe(200);
  });
  afterAll(async () => {
    await env?.close();
  });

  const query = async <T>(sql: string, params: unknown[] = []) => (await orm.em.fork().getConnection().execute(sql, params)) as T[];
  const importContacts = async (channelAccountId: string, csv: string) => {
    const r = await env.api('POST', `/api/v1/contacts/import?channelAccountId=${channelAccountId}`, undefined, { raw: csv, headers: { 'content-type': 'text/csv' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.refused).toBe(0);
  };
  const contactIdOf = async (channelAccountId: string, phone: string) =>
    (await query<{ id: string }>('select id from contacts where channel_account_id = ? and external_id = ?', [channelAccountId, phone.slice(1)]))[0]!.id;
  const draft = async (name: string, audience: Record<string, unknown>, csv?: string) => {
    const created = await env.api('POST', '/api/v1/broadcasts', { channelAccountId: inbox, name, template, variables, audience });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    if (csv) {
      const uploaded = await env.api('POST', `/api/v1/broadcasts/${created.body.id}/audience`, undefined, { raw: csv, headers: { 'content-type': 'text/csv' } });
      expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    }
    return created.body.id as string;
  };
  /** Starts the broadcast and answers it once running (or over, with nobody to send to). */
  const start = async (id: string) => {
    const started = await env.api('POST', `/api/v1/broadcasts/${id}/start`, {});
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    return eventually(async () => {
      const b = (await env.api('GET', `/api/v1/broadcasts/${id}`)).body;
      return b.status === 'running' || b.status === 'completed' ? b : null;
    }, 90_000, 'the broadcast started');
  };
  const stop = (id: string) => env.api('POST', `/api/v1/broadcasts/${id}/cancel`, {});
  const recipientsOf = (id: string) =>
    query<StoredRecipient>('select phone, contact_id, csv_row, status, reason_code, parameters from broadcast_recipients where broadcast_id = ? order by id', [id]);
  const phonesOf = async (id: string) => (await recipientsOf(id)).map((r) => r.phone).sort();
  const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

  it('chooses contacts by a tag, by an attribute equal to a value, by both and by ids, of its own number only', async () => {
    const [ayu, budi, citra, dodi, eka] = ['+6281190000001', '+6281190000002', '+6281190000003', '+6281190000004', '+6281190000005'];
    await importContacts(
      inbox,
      ['phone,name,tags,city', `${ayu},Ayu,vip;jakarta,Jakarta`, `${budi},Budi,vip,Bandung`, `${citra},Citra,jakarta,Jakarta`, `${dodi},Dodi,,jakarta`, `${eka},Eka,regular,`].join('\n'),
    );
    // Another number's customers carry the same tags and city: never chosen for this one.
    await importContacts(other, ['phone,name,tags,city', `+6281190000011,Fitri,vip;jakarta,Jakarta`, `${eka},Eka elsewhere,vip,Jakarta`].join('\n'));

    const byTag = await draft('VIPs', { tags: ['vip'] });
    expect((await start(byTag)).counters).toMatchObject({ total: 2, skipped: 0, suppressed: 0 });
    expect(await phonesOf(byTag)).toEqual([ayu, budi]);
    // Planned from the chosen contact: its name fills the body.
    const ayuRecipient = (await recipientsOf(byTag)).find((r) => r.phone === ayu)!;
    expect(ayuRecipient).toMatchObject({ contact_id: await contactIdOf(inbox, ayu), csv_row: null });
    expect(JSON.stringify(json(ayuRecipient.parameters))).toContain('Ayu');

    // Equal, as written: "jakarta" is not "Jakarta".
    const byCity = await draft('Jakarta', { attributes: { city: 'Jakarta' } });
    await start(byCity);
    expect(await phonesOf(byCity)).toEqual([ayu, citra]);

    const byBoth = await draft('Jakarta VIPs', { tags: ['vip', 'jakarta'], attributes: { city: 'Jakarta' } });
    await start(byBoth);
    expect(await phonesOf(byBoth)).toEqual([ayu]);

    const byIds = await draft('Selected VIPs', { contactIds: [await contactIdOf(inbox, budi), await contactIdOf(inbox, citra), await contactIdOf(other, eka)], tags: ['vip'] });
    await start(byIds);
    expect(await phonesOf(byIds)).toEqual([budi]);

    for (const id of [byTag, byCity, byBoth, byIds]) await stop(id);
  });

  it('binds tags, attribute names and values with quotes and special characters as values, never as SQL', async () => {
    const [quoted, plain, injected] = ['+6281190000101', '+6281190000102', '+6281190000103'];
    const note = `O'Brien "Jr", 50% off \\ _x_ ünï 🎉`;
    const tag = `it's "vip"`;
    const injection = `' or '1'='1`;
    const cell = (value: string) => `"${value.replace(/"/g, '""')}"`;
    await importContacts(
      inbox,
      [
        `phone,name,tags,note,${cell('kota "lama".x')}`,
        `${quoted},Quoted,${cell(tag)},${cell(note)},${cell('a"b')}`,
        `${plain},Plain,odd,plain,ab`,
        `${injected},Injected,odd,${cell(injection)},ab`,
      ].join('\n'),
    );
    const stored = (await query<{ attributes: unknown; tags: unknown }>('select attributes, tags from contacts where channel_account_id = ? and phone = ?', [inbox, quoted]))[0]!;
    expect(json(stored.attributes)).toMatchObject({ note, 'kota "lama".x': 'a"b' });
    expect(json(stored.tags)).toEqual([tag]);

    const byValue = await draft('Quoted value', { attributes: { note } });
    await start(byValue);
    expect(await phonesOf(byValue)).toEqual([quoted]);

    const byOddName = await draft('Quoted name', { attributes: { 'kota "lama".x': 'a"b' } });
    await start(byOddName);
    expect(await phonesOf(byOddName)).toEqual([quoted]);

    const byOddTag = await draft('Quoted tag', { tags: [tag] });
    await start(byOddTag);
    expect(await phonesOf(byOddTag)).toEqual([quoted]);

    // An injection attempt is a value like any other: only the contact that holds it exactly.
    const byInjection = await draft('Injection', { attributes: { note: injection } });
    await start(byInjection);
    expect(await phonesOf(byInjection)).toEqual([injected]);
    const nobody = await draft('Nobody', { attributes: { note: `x${injection}` }, tags: [`odd' or '1'='1`] });
    expect((await start(nobody)).counters).toMatchObject({ total: 0 });
    expect(await recipientsOf(nobody)).toEqual([]);

    for (const id of [byValue, byOddName, byOddTag, byInjection, nobody]) await stop(id);
  });

  it('suppresses the chosen contacts who opted out, with the date, and counts them', async () => {
    const [staying, leaving] = ['+6281190000201', '+6281190000202'];
    await importContacts(inbox, ['phone,name,tags', `${staying},Stays,newsletter`, `${leaving},Leaves,newsletter`].join('\n'));
    expect((await env.api('POST', '/api/v1/opt-outs', { channelAccountId: inbox, phone: leaving })).status).toBe(201);
    const id = await draft('Newsletter', { tags: ['newsletter'] });
    const validation = await env.api('POST', `/api/v1/broadcasts/${id}/validate`);
    expect(validation.body.counts).toMatchObject({ total: 2, ready: 1, suppressed: 1 });
    // Validation stores nothing: the contacts it chose to count them are gone with its rollback.
    expect(await recipientsOf(id)).toEqual([]);
    expect((await start(id)).counters).toMatchObject({ total: 2, suppressed: 1 });
    const recipients = await recipientsOf(id);
    expect(recipients.find((r) => r.phone === leaving)).toMatchObject({ status: 'suppressed', reason_code: 'OPTED_OUT', parameters: null });
    expect(recipients.find((r) => r.phone === staying)?.status).not.toBe('suppressed');
    await stop(id);
  });

  it("takes a chosen contact's country from its number: a marketing template skips the countries WhatsApp does not deliver it to", async () => {
    const [indonesian, american, canadian] = ['+6281190000301', '+14155550301', '+14165550301'];
    await importContacts(inbox, ['phone,name,tags', `${indonesian},Indah,promo-301`, `${american},Amy,promo-301`, `${canadian},Cal,promo-301`].join('\n'));
    const promo = { name: 'filter_promo', language: 'en' };
    env.provider.templates.push({ ...promo, category: 'MARKETING', parameterFormat: 'positional', components: { body: { text: 'Sale, {{1}}!' } }, status: 'APPROVED', externalId: 'tpl-filter-promo' });
    expect((await env.api('POST', `/api/v1/channels/${inbox}/templates/sync`)).status).toBe(200);
    const created = await env.api('POST', '/api/v1/broadcasts', { channelAccountId: inbox, name: 'Promo', template: promo, variables, audience: { tags: ['promo-301'] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;

    expect((await start(id)).counters).toMatchObject({ total: 3, skipped: 1 });
    const stored = await query<{ phone: string; country: string | null; status: string; reason_code: string | null }>('select phone, country, status, reason_code from broadcast_recipients where broadcast_id = ? order by phone', [id]);
    expect(stored).toEqual([
      { phone: american, country: 'US', status: 'skipped', reason_code: 'MARKETING_COUNTRY_BLOCKED' },
      { phone: canadian, country: 'CA', status: expect.stringMatching(/^(pending|queued|sent)$/), reason_code: null },
      { phone: indonesian, country: 'ID', status: expect.stringMatching(/^(pending|queued|sent)$/), reason_code: null },
    ]);
    await stop(id);
  });

  it('gives a number once: uploaded and chosen, two contacts sharing it, or a contact with no phone by its external id', async () => {
    const [inFile, chosen, onlyInFile] = ['+6281190000301', '+6281190000302', '+6281190000303'];
    await importContacts(inbox, ['phone,name,tags', `${inFile},In the file,dup`, `${chosen},First of two,dup`].join('\n'));
    // A second contact with the same phone (another external id), created later, and one with no phone.
    const [tenant] = await query<{ tenant_id: string }>('select tenant_id from channel_accounts where id = ?', [inbox]);
    const now = stack.database === 'sqlite' ? Date.now() : new Date();
    for (const [externalId, phone, name] of [['bsuid-second-of-two', chosen, 'Second of two'], ['6281190000304', null, 'No phone']] as const) {
      await query(
        'insert into contacts (id, created_at, updated_at, tenant_id, channel_account_id, external_id, phone, name, attributes, tags) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [newId(), now, now, tenant!.tenant_id, inbox, externalId, phone, name, '{}', '["dup"]'],
      );
    }
    const id = await draft('Duplicates', { tags: ['dup'] }, `phone,name\n${inFile},From the file\n${onlyInFile},Only in the file`);
    expect((await start(id)).counters).toMatchObject({ total: 4 });
    const recipients = await recipientsOf(id);
    expect(recipients.map((r) => r.phone).sort()).toEqual([inFile, chosen, onlyInFile, '+6281190000304'].sort());
    // The uploaded row is the one kept, with its CSV row; the filter's come after it.
    expect(Number(recipients.find((r) => r.phone === inFile)!.csv_row)).toBe(2);
    expect(recipients.find((r) => r.phone === chosen)).toMatchObject({ csv_row: null, contact_id: await contactIdOf(inbox, chosen) });
    expect(recipients.slice(0, 2).map((r) => r.phone)).toEqual([inFile, onlyInFile]);
    await stop(id);
  });

  it("plans the filter's recipients ahead of the start, and chooses again when the filter changed after", async () => {
    const [gold, silver] = ['+6281190000401', '+6281190000402'];
    await importContacts(inbox, ['phone,name,tier', `${gold},Gold,gold`, `${silver},Silver,silver`].join('\n'));
    const id = await draft('Tiers', { attributes: { tier: 'gold' } });
    const engine = env.app.app.get(BroadcastEngine);
    const ahead = await engine.planAhead(id, 'draft');
    expect(ahead?.counts).toMatchObject({ total: 1, pending: 1 });
    // Chosen and planned while still a draft, outside the start's transaction.
    expect((await env.api('GET', `/api/v1/broadcasts/${id}`)).body.status).toBe('draft');
    const planned = await recipientsOf(id);
    expect(planned).toMatchObject([{ phone: gold, csv_row: null, status: 'pending' }]);
    expect(JSON.stringify(json(planned[0]!.parameters))).toContain('Gold');

    // Another filter after that plan: validation and the start choose again, and the earlier choice is gone.
    expect((await env.api('PATCH', `/api/v1/broadcasts/${id}`, { audience: { attributes: { tier: 'silver' } } })).status).toBe(200);
    expect((await env.api('POST', `/api/v1/broadcasts/${id}/validate`)).body.counts).toMatchObject({ total: 1, ready: 1 });
    expect((await start(id)).counters).toMatchObject({ total: 1, skipped: 0 });
    expect(await phonesOf(id)).toEqual([silver]);
    await stop(id);

    // A file uploaded after a plan ahead replaces what it chose; the start chooses again beside the file.
    const withFile = await draft('Tiers and a file', { attributes: { tier: 'gold' } });
    expect((await engine.planAhead(withFile, 'draft'))?.counts).toMatchObject({ total: 1 });
    const uploaded = await env.api('POST', `/api/v1/broadcasts/${withFile}/audience`, undefined, { raw: `phone\n${gold}\n${silver}`, headers: { 'content-type': 'text/csv' } });
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    expect((await start(withFile)).counters).toMatchObject({ total: 2 });
    const recipients = await recipientsOf(withFile);
    expect(recipients.map((r) => [r.phone, Number(r.csv_row)])).toEqual([
      [gold, 2],
      [silver, 3],
    ]);
    await stop(withFile);
  });

  it('chooses 20,000 contacts in the database: the planned recipients are counted there, and the process reads none of the others', async () => {
    const contacts = 20_000;
    const number = (await env.createTestChannel('Twenty thousand')).id;
    const [tenant] = await query<{ tenant_id: string }>('select tenant_id from channel_accounts where id = ?', [number]);
    // Three in four carry the tag; their ids (made up, in order) say which.
    const idOf = (i: number) => `00000000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
    const tagged = (i: number) => i % 4 !== 0;
    if (stack.database === 'sqlite') {
      await query(
        `with recursive seq(i) as (select 1 union all select i + 1 from seq where i < ?)
         insert into contacts (id, created_at, updated_at, tenant_id, channel_account_id, external_id, phone, name, attributes, tags)
         select printf('00000000-0000-7000-8000-%012x', i), ?, ?, ?, ?, printf('62877%08d', i), printf('+62877%08d', i), 'Customer ' || i, '{}',
                case when i % 4 = 0 then '[]' else '["bulk"]' end from seq`,
        [contacts, Date.now(), Date.now(), tenant!.tenant_id, number],
      );
    } else {
      await query(
        `insert into contacts (id, created_at, updated_at, tenant_id, channel_account_id, external_id, phone, name, attributes, tags)
         select '00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'), now(), now(), ?, ?, '62877' || lpad(i::text, 8, '0'), '+62877' || lpad(i::text, 8, '0'), 'Customer ' || i, '{}',
                case when i % 4 = 0 then '[]'::jsonb else '["bulk"]'::jsonb end from generate_series(1, ?) as i`,
        [tenant!.tenant_id, number, contacts],
      );
    }
    const expected = Array.from({ length: contacts }, (_, i) => i + 1).filter(tagged).length;
    const untagged = new Set(Array.from({ length: contacts }, (_, i) => i + 1).filter((i) => !tagged(i)).map(idOf));

    const created = await env.api('POST', '/api/v1/broadcasts', { channelAccountId: number, name: 'Bulk', template, variables, audience: { tags: ['bulk'] } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // Every contact row any query of the process reads, from the start until the broadcast runs.
    const driver = orm.em.getDriver();
    const find = driver.find.bind(driver);
    const contactsRead = new Set<string>();
    const spy = vi.spyOn(driver, 'find').mockImplementation(async (...args: Parameters<typeof driver.find>) => {
      const rows = await find(...args);
      if (args[0] === 'Contact') for (const row of rows as { id: string }[]) contactsRead.add(row.id);
      return rows;
    });
    try {
      const running = await start(id);
      expect(running.counters).toMatchObject({ total: expected });
    } finally {
      spy.mockRestore();
    }
    const [counted] = await query<{ n: number | string; planned: number | string; chosen: number | string }>(
      'select count(*) as n, sum(case when parameters is not null then 1 else 0 end) as planned, sum(case when csv_row is null then 1 else 0 end) as chosen from broadcast_recipients where broadcast_id = ?',
      [id],
    );
    expect({ n: Number(counted!.n), planned: Number(counted!.planned), chosen: Number(counted!.chosen) }).toEqual({ n: expected, planned: expected, chosen: expected });
    const [untaggedChosen] = await query<{ n: number | string }>(
      "select count(*) as n from broadcast_recipients r join contacts c on c.id = r.contact_id where r.broadcast_id = ? and cast(c.tags as text) not like '%bulk%'",
      [id],
    );
    expect(Number(untaggedChosen!.n)).toBe(0);
    // The plan reads each recipient's own contact (its name, its opt-out); none of the others.
    expect(contactsRead.size).toBeGreaterThan(0);
    expect([...contactsRead].filter((c) => untagged.has(c))).toEqual([]);
    expect(contactsRead.size).toBeLessThanOrEqual(expected);
    await stop(id);
  });
});
