import { describe, expect, it } from 'vitest';
import { PasswordHasher, newToken, tokenHash } from './password-hasher.js';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher({ N: 1024, r: 8, p: 1 });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await hasher.verify('correct horse battery staple', stored)).toBe(true);
    expect(await hasher.verify('correct horse battery stapler', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hasher.hash('same')).not.toBe(await hasher.hash('same'));
  });

  it('verifies with the parameters stored in the hash, so costs can be raised later', async () => {
    const old = await new PasswordHasher({ N: 512, r: 8, p: 1 }).hash('pw');
    expect(await hasher.verify('pw', old)).toBe(true);
  });

  it('says when a stored hash was made with other parameters', async () => {
    expect(hasher.needsRehash(await hasher.hash('pw'))).toBe(false);
    expect(hasher.needsRehash(await new PasswordHasher({ N: 512, r: 8, p: 1 }).hash('pw'))).toBe(true);
    expect(hasher.needsRehash(await new PasswordHasher({ N: 1024, r: 8, p: 2 }).hash('pw'))).toBe(true);
    expect(hasher.needsRehash('bcrypt$xyz')).toBe(true);
  });

  it('hashes at 32 MiB by default, and still verifies a hash made at the old 128 MiB', async () => {
    const current = new PasswordHasher();
    const stored = await current.hash('pw');
    expect(stored).toMatch(/^scrypt\$32768\$8\$3\$/);
    const old = await new PasswordHasher({ N: 2 ** 17, r: 8, p: 1 }).hash('pw');
    expect(await current.verify('pw', old)).toBe(true);
    expect(current.needsRehash(old)).toBe(true);
  });

  it('refuses a malformed stored hash', async () => {
    expect(await hasher.verify('pw', 'bcrypt$xyz')).toBe(false);
  });
});

describe('tokens', () => {
  it('are long, random, prefixed, and stored only as a SHA-256', () => {
    const a = newToken('obs');
    expect(a).toMatch(/^obs_[\w-]{43}$/);
    expect(newToken('obs')).not.toBe(a);
    expect(tokenHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash(a)).not.toContain(a.slice(4));
  });
});
