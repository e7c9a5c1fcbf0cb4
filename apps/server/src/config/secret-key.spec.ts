import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSecretKey } from './secret-key.js';

describe('resolveSecretKey', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-key-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const file = path.join(dataDir, 'secret.key');

  it('generates a key readable by the owner only, and reads it back', () => {
    const first = resolveSecretKey(undefined, dataDir, true);
    expect(first.generated).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(resolveSecretKey(undefined, dataDir, true)).toEqual({ key: first.key, generated: false });
  });

  it('tightens a key file an older version left readable by others', () => {
    writeFileSync(file, 'an-old-key-from-before-0600-was-enforced\n');
    chmodSync(file, 0o644);
    expect(resolveSecretKey(undefined, dataDir, true).key).toBe('an-old-key-from-before-0600-was-enforced');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
