import { createReadStream, createWriteStream, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Runs `use` on an uploaded file once it has arrived whole, read back from a private temporary
 * file (removed afterwards, whatever happens). The upload's own failures (too large, the client
 * gone) reject before `use` runs, so they are never taken for a malformed file, and an import
 * does no database work for an upload that will not arrive. A string (a body already read) is
 * used as it is. Call it as soon as the upload is in hand, before awaiting anything else.
 */
export async function withSpooledUpload<T>(upload: Readable | string, use: (file: Readable | string) => Promise<T>): Promise<T> {
  if (typeof upload === 'string') return use(upload);
  // Synchronously, so the pipeline listens to the upload in this tick: an upload error with
  // nobody listening would be thrown as an uncaught exception.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'obrol-upload-'));
  try {
    const file = path.join(dir, 'upload');
    // The upload's own errors (too large, the client gone) reject here, before any database work.
    await pipeline(upload, createWriteStream(file, { mode: 0o600 }));
    return await use(createReadStream(file));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
