import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACT_PATHS } from './pino-nest.logger.js';

describe('log redaction', () => {
  it('never writes secrets, tokens or passwords', () => {
    const lines: string[] = [];
    const logger = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    logger.info({ req: { headers: { authorization: 'Bearer obs_secret', 'x-hub-signature-256': 'sha256=abc' } } }, 'request');
    logger.info({ channel: { accessToken: 'EAAG-token', appSecret: 'app-secret', verifyToken: 'vt', password: 'pw' } }, 'channel');
    logger.info({ config: { phoneNumberId: '123', anything: 'x' } }, 'config');
    const out = lines.join('\n');
    for (const secret of ['obs_secret', 'sha256=abc', 'EAAG-token', 'app-secret', '"vt"', '"pw"', '"x"']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });
});
