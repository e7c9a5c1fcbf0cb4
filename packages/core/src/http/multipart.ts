import fastifyMultipart from '@fastify/multipart';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** The largest file a multipart upload may carry; each channel's own, smaller limits apply after. */
export const MULTIPART_MAX_FILE_BYTES = 100 * 1024 * 1024;

/**
 * `multipart/form-data` for the whole API, registered once: routes read it with
 * `request.file()` (uploads from browsers and HTML forms). One file per request, small fields.
 */
export async function registerMultipart(app: NestFastifyApplication): Promise<void> {
  await app.register(fastifyMultipart, { limits: { fileSize: MULTIPART_MAX_FILE_BYTES, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 12 } });
}
