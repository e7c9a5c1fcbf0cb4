import pg from 'pg';
import { requireService } from './require-service.js';

/** The PostgreSQL core's own specs use: `OBROL_TEST_DATABASE_URL`, else the local one. */
export const testPostgresUrl = process.env.OBROL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether a spec needing PostgreSQL at `url` runs (`requireService`, with a connect probe). */
export function requirePostgres(url = testPostgresUrl): Promise<boolean> {
  return requireService(
    'postgres',
    async () => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
      await client.connect();
      await client.end();
      return true;
    },
    { at: url.replace(/\/\/[^@]*@/, '//') },
  );
}
