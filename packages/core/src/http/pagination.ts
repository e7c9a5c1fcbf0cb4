import { ObrolError } from '@obrol/contracts';
import { z } from 'zod';

/** Query fields of every list endpoint. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

export type { Page } from '@obrol/contracts';

/** A cursor that is the last id of the page (ids are UUIDv7, ordered by creation). */
export const idCursorSchema = z.object({ id: z.string().uuid() });

/** A cursor of a list ordered by a time, then id (the time may be null: never set). */
export const timeCursorSchema = z.object({ t: z.iso.datetime().nullable(), id: z.string().uuid() });

/** Cursors are opaque to clients: base64url of a small JSON value. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(cursor: string, schema: S): z.infer<S> {
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new ObrolError('VALIDATION_FAILED', 'The cursor is not valid; use nextCursor from a previous page.', {
      problems: [{ field: 'query.cursor', message: 'invalid cursor' }],
    });
  }
}
