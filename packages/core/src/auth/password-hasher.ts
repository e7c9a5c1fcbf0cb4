import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))),
  );

/**
 * One of OWASP's scrypt settings: N=2^15, r=8, p=3, 32 MiB of work memory per hash. OWASP lists
 * it beside N=2^17, r=8, p=1 (128 MiB, used before ADR 0046) as giving the same defence, trading
 * memory for rounds; a login then no longer takes 128 MiB of the server's memory while it runs.
 */
const DEFAULT = { N: 2 ** 15, r: 8, p: 3 };

/** Hashes passwords with scrypt (node:crypto, no native add-on). Stored as `scrypt$N$r$p$salt$hash`. */
export class PasswordHasher {
  constructor(private readonly params = DEFAULT) {}

  /** Whether `stored` was made with other parameters than this hasher's: hash the password again at the next login. */
  needsRehash(stored: string): boolean {
    const [alg, n, r, p] = stored.split('$');
    const { N, r: blockSize, p: parallelism } = this.params;
    return alg !== 'scrypt' || Number(n) !== N || Number(r) !== blockSize || Number(p) !== parallelism;
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const { N, r, p } = this.params;
    const key = await scrypt(password, salt, 32, { N, r, p, maxmem: 256 * N * r });
    return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [alg, n, r, p, salt, hash] = stored.split('$');
    if (alg !== 'scrypt' || !salt || !hash) return false;
    const N = Number(n);
    const expected = Buffer.from(hash, 'base64url');
    const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
      N,
      r: Number(r),
      p: Number(p),
      maxmem: 256 * N * Number(r),
    });
    return timingSafeEqual(key, expected);
  }
}

/** A random bearer token with a recognisable prefix (`obs_` sessions, `obk_` API keys, `obp_` set-password links). */
export function newToken(prefix: 'obs' | 'obk' | 'obp'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Tokens are stored as SHA-256: they are long random values, so a fast hash is enough. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A readable generated password (for the first admin and invited agents). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
