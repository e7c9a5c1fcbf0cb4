import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { PassThrough, type Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { withSpooledUpload } from './spooled-upload.js';

const spools = () => new Set(readdirSync(os.tmpdir()).filter((name) => name.startsWith('obrol-upload-')));

describe('withSpooledUpload', () => {
  it('hands over the whole upload only once it has arrived, then removes its file', async () => {
    const before = spools();
    const upload = new PassThrough();
    let used: string | undefined;
    let spoolSeen: string[] = [];
    const done = withSpooledUpload(upload, async (file) => {
      spoolSeen = [...spools()].filter((name) => !before.has(name));
      used = await text(file as Readable);
      return 'imported';
    });
    upload.write('phone\n0812');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(used).toBeUndefined();
    upload.end('34567890\n');
    expect(await done).toBe('imported');
    expect(used).toBe('phone\n081234567890\n');
    expect(spoolSeen).toHaveLength(1);
    expect(existsSync(`${os.tmpdir()}/${spoolSeen[0]}`)).toBe(false);
  });

  it('fails with the upload’s own error before any import, and leaves no file', async () => {
    const before = spools();
    const upload = new PassThrough();
    let called = false;
    const done = withSpooledUpload(upload, async () => {
      called = true;
    });
    upload.write('phone\n');
    upload.destroy(new Error('The file is larger than 200 MB.'));
    await expect(done).rejects.toThrow('larger than 200 MB');
    expect(called).toBe(false);
    expect([...spools()].filter((name) => !before.has(name))).toEqual([]);
  });

  it('uses a body already read as it is', async () => {
    expect(await withSpooledUpload('phone\n1', async (file) => file)).toBe('phone\n1');
  });
});
