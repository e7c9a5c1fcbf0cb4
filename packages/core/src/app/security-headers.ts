import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * Security headers on every answer (the inbox, the API docs, the API, errors, provider
 * webhooks): a CSP that loads only this origin's scripts, no framing, nosniff, no referrer.
 *
 * Built once at boot: helmet turns static directives into one header string, so a request only
 * sets precomputed headers. (`@fastify/helmet` rebuilt the middleware, parsing the CSP again,
 * on every request: ~3 % of the CPU of a webhook flood, ADR 0025.)
 */
const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
      mediaSrc: ["'self'", 'blob:', 'https:'],
      connectSrc: ["'self'", 'ws:', 'wss:'],
      fontSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  // Obrol is often reached over plain http on a LAN or localhost; TLS is the proxy's business.
  strictTransportSecurity: false,
});

/** Sets the security headers first thing on every request, before any route or error answers. */
export function registerSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
}
