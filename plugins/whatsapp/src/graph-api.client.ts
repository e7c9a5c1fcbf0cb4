import { err, ok, type ChannelError, type Result } from '@obrol/contracts';
import { mapGraphResponseError, networkError } from './graph-errors.js';
import type { GraphHttp, GraphHttpResponse } from './graph-http.js';
import type { WhatsAppConfig } from './whatsapp-config.schema.js';

/** The request body of a Graph call: JSON, a multipart form (media upload), or a file's bytes (resumable upload). */
export type GraphBody = { json: unknown } | { form: FormData } | { bytes: Buffer; headers: Record<string, string> };

export interface GraphRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** A path under `{base}/{version}/` (no leading slash), or an absolute URL (paging, media). */
  path: string;
  query?: Record<string, string | undefined>;
  body?: GraphBody;
  /** `OAuth` where Meta documents it (the Resumable Upload API's byte transfer); `Bearer` otherwise. */
  authScheme?: 'Bearer' | 'OAuth';
}

/** The Graph answer as raw bytes, for media downloads. */
export interface GraphBinary {
  bytes: Buffer;
  contentType: string | undefined;
}

/**
 * A thin Graph API client for one channel account: Bearer auth, JSON in and out, and every
 * expected failure (HTTP error, Meta error envelope, network failure) as a typed `err` value.
 */
export class GraphApiClient {
  constructor(
    private readonly config: WhatsAppConfig,
    private readonly http: GraphHttp,
  ) {}

  /** The absolute URL for a Graph path. */
  url(path: string, query: Record<string, string | undefined> = {}): string {
    const url = /^https?:\/\//.test(path)
      ? new URL(path)
      : new URL(`${this.config.graphApiBaseUrl}/${this.config.graphApiVersion}/${path}`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
    return url.toString();
  }

  /** Calls the Graph API and returns the parsed JSON body. */
  async request(req: GraphRequest): Promise<Result<unknown, ChannelError>> {
    const response = await this.send(req);
    if (!response.ok) return response;
    const text = await response.value.text().catch(() => '');
    const body = parseJson(text);
    if (!isOk(response.value)) {
      return err(mapGraphResponseError(response.value.status, body, retryAfterMs(response.value.header('retry-after'))));
    }
    if (body === undefined) {
      // Never echo what came back: the origin is configurable, so it could be any internal service.
      return err({ code: 'CHANNEL_ERROR', message: 'WhatsApp answered with something that is not JSON.', retryable: false });
    }
    return ok(body);
  }

  /** Calls the Graph API (or a media URL it handed out) and returns the raw bytes. */
  async requestBinary(req: GraphRequest): Promise<Result<GraphBinary, ChannelError>> {
    const response = await this.send(req);
    if (!response.ok) return response;
    const res = response.value;
    if (!isOk(res)) {
      const body = parseJson(await res.text().catch(() => ''));
      return err(mapGraphResponseError(res.status, body, retryAfterMs(res.header('retry-after'))));
    }
    try {
      return ok({ bytes: await res.bytes(), contentType: res.header('content-type') });
    } catch (cause) {
      return err(networkError(cause));
    }
  }

  private async send(req: GraphRequest): Promise<Result<GraphHttpResponse, ChannelError>> {
    const headers: Record<string, string> = { authorization: `${req.authScheme ?? 'Bearer'} ${this.config.accessToken}` };
    let body: string | FormData | Uint8Array | undefined;
    if (req.body && 'json' in req.body) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body.json);
    } else if (req.body && 'form' in req.body) {
      body = req.body.form;
    } else if (req.body) {
      Object.assign(headers, req.body.headers);
      body = new Uint8Array(req.body.bytes);
    }
    try {
      return ok(await this.http(this.url(req.path, req.query), { method: req.method, headers, body }));
    } catch (cause) {
      return err(networkError(cause));
    }
  }
}

function isOk(response: GraphHttpResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : undefined;
}
