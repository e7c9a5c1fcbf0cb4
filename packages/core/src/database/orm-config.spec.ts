import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { Contact } from '../contacts/contact.entity.js';
import { afterAll, describe, expect, it } from 'vitest';
import { ormOptions } from './orm-config.js';

describe('the SQLite file', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-mode-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('and its WAL are readable by the owner only', async () => {
    const orm = await MikroORM.init(ormOptions({ dataDir }));
    try {
      await orm.getMigrator().up();
      for (const file of ['obrol.sqlite', 'obrol.sqlite-wal']) expect(statSync(path.join(dataDir, file)).mode & 0o777, file).toBe(0o600);
    } finally {
      await orm.close(true);
    }
  });
});

describe('a loaded entity on SQLite', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-dates-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is written by a flush only when it changed, dates included', async () => {
    const statements: string[] = [];
    const orm = await MikroORM.init({ ...ormOptions({ dataDir }), debug: ['query'], logger: (line) => statements.push(line) });
    try {
      await orm.getMigrator().up();
      await orm.em.getConnection().execute('PRAGMA foreign_keys = OFF');
      const created = orm.em.fork().create(Contact, { tenantId: 't', channelAccount: 'c', externalId: '628123', phone: '+628123', attributes: {}, tags: [] });
      await orm.em.fork().persist(created).flush();
      const em = orm.em.fork();
      const contact = await em.findOneOrFail(Contact, created.id);
      statements.length = 0;
      await em.flush();
      expect(statements.filter((s) => s.includes('update'))).toEqual([]);
      const optedOutAt = new Date(contact.createdAt.getTime() + 1);
      contact.optedOutAt = optedOutAt;
      await em.flush();
      expect(statements.filter((s) => s.includes('update'))).toHaveLength(1);
      expect((await orm.em.fork().findOneOrFail(Contact, created.id)).optedOutAt).toEqual(optedOutAt);
    } finally {
      await orm.close(true);
    }
  });
});
