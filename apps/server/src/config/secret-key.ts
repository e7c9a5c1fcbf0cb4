import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The key that encrypts secrets at rest: OBROL_SECRET_KEY, or one generated into the data dir
 * on first start. Several processes on one database must share it, so generating is only for
 * the single node.
 */
export function resolveSecretKey(configured: string | undefined, dataDir: string, allowGenerate: boolean): { key: string; generated: boolean } {
  if (configured) return { key: configured, generated: false };
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) {
    // Owner only, also for a key written by an older version with the default mode.
    chmodSync(file, 0o600);
    return { key: readFileSync(file, 'utf8').trim(), generated: false };
  }
  if (!allowGenerate) {
    throw new Error('Obrol cannot start: OBROL_SECRET_KEY is required when several processes share a database (set the same value on every api and worker).');
  }
  const key = randomBytes(48).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, generated: true };
}
