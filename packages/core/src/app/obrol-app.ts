import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RawServerDefault } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';
import { EVENT_BUS, type EventBus } from '../bus/event-bus.js';
import { CoreModule } from '../core.module.js';
import type { CoreOptions } from '../core-options.js';
import { toApiError } from '../http/api-exception.filter.js';
import { RealtimeGateway } from '../realtime/realtime.gateway.js';
import { CORE_VERSION } from '../version.js';
import { PinoNestLogger, REDACT_PATHS } from './pino-nest.logger.js';
import { registerMultipart } from '../http/multipart.js';
import { registerSecurityHeaders } from './security-headers.js';
import { WebhookReceiver, registerWebhookRoute } from '../webhooks/webhook.receiver.js';

export interface ObrolAppOptions extends CoreOptions {
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
  logger?: Logger;
  /** Largest JSON body accepted, in bytes (webhooks may carry up to 3 MB). */
  bodyLimitBytes?: number;
  /** Proxies whose X-Forwarded-For is believed (IPs or CIDRs); none by default. */
  trustedProxies?: string[];
  /** More Nest modules to compose. */
  modules?: (Type | DynamicModule)[];
  /** Built browser apps to serve (e.g. the inbox at `/`); only the files that exist are routed. */
  staticApps?: { prefix: string; root: string }[];
}

export interface ObrolApp {
  app: NestFastifyApplication;
  url: string;
  close(): Promise<void>;
}

/** Builds and starts an Obrol process: the same code for `start`, `api`, `worker` and tests. */
export async function startObrolApp(options: ObrolAppOptions): Promise<ObrolApp> {
  const logger = options.logger ?? pino({ level: 'silent' });
  @Module({ imports: [CoreModule.forRoot(options), ...(options.modules ?? [])] })
  class ObrolRootModule {}

  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes ?? 4 * 1024 * 1024,
    trustProxy: options.trustedProxies?.length ? options.trustedProxies : false,
    // The HTTP server closes last, after the work and the database: a connection still open then
    // (one that never sent a request is not "idle" to Node) would hold the shutdown up to
    // Node's headers timeout, about 70 s.
    forceCloseConnections: true,
    // Errors of Fastify's router (a bad %-encoding, an over-long segment) in the API's error shape too.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const body = toApiError(error);
      void reply.code(body.statusCode).send(body);
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(ObrolRootModule, adapter, {
    rawBody: true,
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  registerSecurityHeaders(fastify);
  // Provider webhooks are read once, by the plugin, after it checked the signature on the raw bytes.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit: options.bodyLimitBytes ?? 4 * 1024 * 1024 }, (req, body, done) => {
    if (req.url.startsWith('/webhooks/')) return done(null, undefined);
    parseJson(req, body.toString('utf8'), done);
  });
  if (options.role === 'worker') {
    // Feature modules carry their controllers; a worker answers only its health routes.
    fastify.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0];
      if (path === '/healthz' || path === '/readyz') return;
      await reply.code(404).send({ statusCode: 404, code: 'NOT_FOUND', message: 'A worker serves only /healthz and /readyz.' });
    });
  }
  registerWebhookRoute(fastify, app.get(WebhookReceiver));
  await registerMultipart(app);
  fastify.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  // Media uploads (POST /api/v1/media): raw bytes; the channel's own size limits apply after.
  fastify.addContentTypeParser(/^(image|video|audio)\/|^application\/(pdf|octet-stream|msword|vnd\.)/, { parseAs: 'buffer', bodyLimit: 100 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  if (options.role !== 'worker') {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Obrol API')
        .setDescription('Self-hosted customer chat on WhatsApp. Errors are `{ statusCode, code, message, details? }` with a stable `code`.')
        .setVersion(CORE_VERSION)
        .addBearerAuth({
          type: 'http',
          scheme: 'bearer',
          description:
            'An agent session token (POST /api/v1/auth/login) or an API key. A key may be limited to inboxes and to scopes: GET routes need `read`, routes marked `x-obrol-api-key-scope: send` need `send`, other changes need both; otherwise 403 FORBIDDEN.',
        })
        .build(),
    );
    SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json', yamlDocumentUrl: 'api/openapi.yaml' });
  }

  if (options.role !== 'worker') {
    // One route per file (no wildcard), so unknown paths still get the API's 404.
    for (const site of options.staticApps ?? []) app.useStaticAssets({ root: site.root, prefix: site.prefix, wildcard: false, decorateReply: false });
  }

  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  if (options.role !== 'worker') app.get(RealtimeGateway).attach(app.getHttpServer(), app.get<EventBus>(EVENT_BUS));
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  let closing: Promise<void> | null = null;
  return {
    app,
    url: `http://${host}:${port}`,
    close: () =>
      (closing ??= (async () => {
        await app.get(RealtimeGateway).close();
        await app.close();
      })()),
  };
}

export { REDACT_PATHS, PinoNestLogger };
