import { PassThrough, type Readable } from 'node:stream';
import fastifyMultipart from '@fastify/multipart';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ObrolError } from '@obrol/contracts';
import type { FastifyRequest } from 'fastify';

/** The largest file a multipart upload may carry; each channel's own, smaller limits apply after. */
export const MULTIPART_MAX_FILE_BYTES = 100 * 1024 * 1024;

/**
 * `multipart/form-data` for the whole API, registered once: routes read it with
 * `request.file()` (uploads from browsers and HTML forms). One file per request, small fields.
 */
export async function registerMultipart(app: NestFastifyApplication): Promise<void> {
  await app.register(fastifyMultipart, { limits: { fileSize: MULTIPART_MAX_FILE_BYTES, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 12 } });
}

/** The first file part of a multipart request, as a stream read while it arrives. */
export interface FilePartStream {
  stream: Readable;
  filename: string | null;
  mimeType: string;
}

/**
 * Reads the first file part of a `multipart/form-data` request as a stream (a CSV of a million
 * rows is never buffered whole); null when the request is not multipart, VALIDATION_FAILED when it
 * carries no file. Past `maxBytes` the stream fails with PAYLOAD_TOO_LARGE.
 */
export async function firstFilePart(request: FastifyRequest, maxBytes: number): Promise<FilePartStream | null> {
  if (!request.isMultipart()) return null;
  let part;
  try {
    part = await request.file({ limits: { fileSize: maxBytes, files: 1 } });
  } catch (error) {
    throw new ObrolError('VALIDATION_FAILED', `The multipart body could not be read: ${(error as Error).message}`);
  }
  if (!part) throw new ObrolError('VALIDATION_FAILED', 'The multipart body has no file part; send the file as a file field.', { problems: [{ field: 'file', message: 'missing' }] });
  const out = new PassThrough();
  part.file.on('limit', () => out.destroy(new ObrolError('PAYLOAD_TOO_LARGE', `The file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`)));
  part.file.on('error', (error) => out.destroy(error));
  part.file.pipe(out);
  return { stream: out, filename: part.filename || null, mimeType: part.mimetype || 'application/octet-stream' };
}
