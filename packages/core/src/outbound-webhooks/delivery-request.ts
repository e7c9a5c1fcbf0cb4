import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isPrivateAddress } from './endpoint-url.policy.js';

/** How much of a receiver's answer is kept on the delivery. */
export const RESPONSE_BODY_LIMIT = 2048;

export type DeliveryResponse = { ok: true; status: number; body: string } | { ok: false; status: number | null; body: string | null; error: string };

export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
}

/** Resolves a host and refuses private addresses at connect time, so DNS cannot point a public-looking name inside. */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const allowed = allowPrivate ? addresses : addresses.filter((a) => !isPrivateAddress(a.address));
      if (!allowed.length) {
        return callback(Object.assign(new Error(`${hostname} resolves to a private address, which webhooks may not reach`), { code: 'EADDRNOTALLOWED' }), '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/**
 * POSTs one delivery. 2xx is success; anything else (another status, a timeout, a refused
 * connection) is a failure described in words for the admin. Redirects are not followed: a
 * receiver that moved should be edited, not chased.
 */
export function postDelivery(request: DeliveryRequest): Promise<DeliveryResponse> {
  const url = new URL(request.url);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (response: DeliveryResponse) => {
      if (settled) return;
      settled = true;
      resolve(response);
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Obrol-Webhooks/1', 'content-length': Buffer.byteLength(request.body), ...request.headers },
        lookup: guardedLookup(request.allowPrivate),
        signal: AbortSignal.timeout(request.timeoutMs),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < RESPONSE_BODY_LIMIT) body += chunk;
          if (body.length >= RESPONSE_BODY_LIMIT) res.destroy();
        });
        const finish = () => {
          const kept = body.slice(0, RESPONSE_BODY_LIMIT);
          done(status >= 200 && status < 300 ? { ok: true, status, body: kept } : { ok: false, status, body: kept, error: `the receiver answered HTTP ${status}` });
        };
        res.on('end', finish);
        res.on('close', finish);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      const reason = error.name === 'AbortError' || error.name === 'TimeoutError' ? `no answer within ${request.timeoutMs} ms` : error.code ? `${error.code}: ${error.message}` : error.message;
      done({ ok: false, status: null, body: null, error: reason });
    });
    req.end(request.body);
  });
}
