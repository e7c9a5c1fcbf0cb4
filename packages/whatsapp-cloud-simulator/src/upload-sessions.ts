import { randomBytes } from 'node:crypto';
import { fail, graphError, ok, unknownObjectError, type Checked } from './graph-error.js';

/**
 * The file types the Resumable Upload API takes (Meta's "Resumable Upload API" page:
 * application/pdf, image/jpeg, image/jpg, image/png, video/mp4).
 */
export const RESUMABLE_UPLOAD_TYPES = ['application/pdf', 'image/jpeg', 'image/jpg', 'image/png', 'video/mp4'] as const;

/** The largest file a session may announce; Meta's template media limits are far below it. */
const MAX_FILE_LENGTH = 100 * 1024 * 1024;

interface UploadSession {
  id: string;
  fileName: string | undefined;
  fileType: string;
  fileLength: number;
  received: Buffer[];
  offset: number;
  handle: string | undefined;
}

/** An uploaded file's handle and what it holds, for checking template samples. */
export interface UploadedFile {
  handle: string;
  fileType: string;
  bytes: Buffer;
}

/**
 * Meta's Resumable Upload API: `POST /{app-id}/uploads?file_name&file_length&file_type` opens
 * a session (`{"id":"upload:…"}`), `POST /upload:{id}` with a `file_offset` header sends the
 * bytes from there and answers the file handle `{"h":"4::…"}` (a template's `header_handle`),
 * `GET /upload:{id}` says how far an interrupted upload got (`{"id","file_offset"}`).
 */
export class UploadSessionStore {
  private readonly sessions = new Map<string, UploadSession>();
  private readonly files = new Map<string, UploadedFile>();

  constructor(private readonly appId: string) {}

  start(appId: string, query: { file_name?: string; file_length?: string; file_type?: string }): Checked<{ id: string }> {
    if (appId !== this.appId) return fail(unknownObjectError(appId));
    const fileLength = Number(query.file_length);
    if (!query.file_length || !Number.isInteger(fileLength) || fileLength <= 0 || fileLength > MAX_FILE_LENGTH) {
      return fail(graphError(100, `The parameter file_length is required and must be the file's size in bytes (1 to ${MAX_FILE_LENGTH}).`));
    }
    const fileType = (query.file_type ?? '').toLowerCase();
    if (!(RESUMABLE_UPLOAD_TYPES as readonly string[]).includes(fileType)) {
      return fail(graphError(100, `The parameter file_type must be one of ${RESUMABLE_UPLOAD_TYPES.join(', ')}; got ${query.file_type ?? 'nothing'}.`));
    }
    const id = `upload:${Buffer.from(`${randomBytes(12).toString('hex')}?sig=${randomBytes(8).toString('hex')}`).toString('base64url')}`;
    this.sessions.set(id, { id, fileName: query.file_name, fileType, fileLength, received: [], offset: 0, handle: undefined });
    return ok({ id });
  }

  /** Appends bytes at `file_offset`; the handle once the announced length has arrived. */
  write(id: string, fileOffset: string | undefined, bytes: Buffer): Checked<{ h: string }> {
    const session = this.sessions.get(id);
    if (!session) return fail(unknownObjectError(id));
    const offset = Number(fileOffset);
    if (fileOffset === undefined || !Number.isInteger(offset) || offset !== session.offset) {
      return fail(graphError(100, `The file_offset header must be ${session.offset}, where the upload stands.`));
    }
    if (bytes.length === 0) return fail(graphError(100, 'The request body must carry the file bytes.'));
    if (session.offset + bytes.length > session.fileLength) {
      return fail(graphError(100, `The upload is longer than the file_length ${session.fileLength} the session was opened with.`));
    }
    session.received.push(bytes);
    session.offset += bytes.length;
    if (session.offset === session.fileLength && !session.handle) {
      session.handle = `4::${Buffer.from(session.fileType).toString('base64')}:${randomBytes(30).toString('base64url')}`;
      this.files.set(session.handle, { handle: session.handle, fileType: session.fileType, bytes: Buffer.concat(session.received) });
    }
    // Meta answers the handle to every upload request; it names the file once all bytes are in.
    return ok({ h: session.handle ?? `4::${Buffer.from(session.fileType).toString('base64')}:partial` });
  }

  status(id: string): Checked<{ id: string; file_offset: number }> {
    const session = this.sessions.get(id);
    return session ? ok({ id, file_offset: session.offset }) : fail(unknownObjectError(id));
  }

  /** The file behind a handle this simulator issued, or undefined. */
  file(handle: string): UploadedFile | undefined {
    return this.files.get(handle);
  }
}
