import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** An encrypted value as stored in JSON columns. */
export interface SealedValue {
  $enc: string;
}

export const isSealed = (v: unknown): v is SealedValue =>
  typeof v === 'object' && v !== null && typeof (v as SealedValue).$enc === 'string';

/** Encrypts secrets at rest with AES-256-GCM under a key derived from OBROL_SECRET_KEY. */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    if (secretKey.length < 16) throw new Error('The secret key must be at least 16 characters.');
    this.key = Buffer.from(hkdfSync('sha256', secretKey, 'obrol', 'obrol secrets v1', 32));
  }

  seal(value: unknown): SealedValue {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return { $enc: `v1.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${data.toString('base64url')}` };
  }

  open(sealed: SealedValue): unknown {
    const [version, iv, tag, data] = sealed.$enc.split('.');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('Unknown sealed value format.');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
    return JSON.parse(plain.toString('utf8'));
  }

  /** Seal the given keys of a config object. */
  sealFields(config: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
    const out = { ...config };
    for (const f of fields) if (out[f] !== undefined && !isSealed(out[f])) out[f] = this.seal(out[f]);
    return out;
  }

  /** Open every sealed value of a config object. */
  openFields(config: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, isSealed(v) ? this.open(v) : v]));
  }
}
