import { PassThrough, type Readable } from 'node:stream';
import { Busboy } from '@fastify/busboy';
import { ObrolError } from '@obrol/contracts';

/** Biggest CSV accepted in a multipart upload (a million rows fit well under it). */
const MAX_FILE_BYTES = 200 * 1024 * 1024;

/**
 * The first file part of a `multipart/form-data` body, as a stream: the CSV is read as it
 * arrives, never buffered whole. Rejects when the body holds no file.
 */
export function firstFileOf(body: Readable, contentType: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const parser = Busboy({ headers: { 'content-type': contentType }, limits: { files: 1, fileSize: MAX_FILE_BYTES } });
    let found = false;
    parser.on('file', (_field, file) => {
      found = true;
      const out = new PassThrough();
      file.on('limit', () => out.destroy(new ObrolError('PAYLOAD_TOO_LARGE', `The CSV is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB.`)));
      file.pipe(out);
      resolve(out);
    });
    parser.on('error', (error) => reject(new ObrolError('VALIDATION_FAILED', `The multipart body cannot be read: ${error instanceof Error ? error.message : String(error)}`)));
    parser.on('finish', () => {
      if (!found) reject(new ObrolError('VALIDATION_FAILED', 'The multipart body has no file part; send the CSV as a file field.'));
    });
    body.pipe(parser);
  });
}
