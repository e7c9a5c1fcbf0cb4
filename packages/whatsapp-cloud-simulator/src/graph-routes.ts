import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { graphError, invalidTokenError, nonexistingFieldError, toEnvelope, unknownObjectError, type GraphError } from './graph-error.js';
import { templateToWire, unknownTemplateField } from './template-store.js';
import type { SimulatorCore } from './whatsapp-simulator.js';

type Params = { version: string; id: string };
type Query = Record<string, string | undefined>;

const VERSION = /^v\d+\.0$/;
/** The node type Graph names in errors about a template's fields. */
const TEMPLATE_NODE = 'WhatsAppBusinessHSM';

/** Graph API routes: messages, media, phone number, templates, and media download. */
export function registerGraphRoutes(server: FastifyInstance, core: SimulatorCore): void {
  const { config } = core;

  const reject = (reply: FastifyReply, error: GraphError) =>
    reply.code(config.errorHttpStatus[error.code] ?? 400).send(toEnvelope(error));

  const authorised = (request: FastifyRequest): boolean => {
    const header = request.headers.authorization;
    // The Resumable Upload API documents `Authorization: OAuth <token>`; the rest of Graph, Bearer.
    const scheme = /^(Bearer|OAuth) /i.exec(header ?? '');
    const token = scheme ? header!.slice(scheme[0].length).trim() : (request.query as Query).access_token;
    return token === config.accessToken;
  };

  /** Version and token checks shared by every Graph route; answers and returns false on failure. */
  const admit = (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply): boolean => {
    if (!VERSION.test(request.params.version)) {
      void reject(reply, { code: 2500, message: `Unknown path components: /${request.params.version}`, details: 'Use a version such as v25.0.', type: 'OAuthException' });
      return false;
    }
    if (!authorised(request)) {
      void reject(reply, invalidTokenError());
      return false;
    }
    return true;
  };

  const baseUrlOf = (request: FastifyRequest) => `${request.protocol}://${request.headers.host ?? request.hostname}`;

  server.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  // A resumable upload's body is the file itself, in any type.
  server.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 100 * 1024 * 1024 }, (_request, body, done) => done(null, body));
  // HTTP clients send `content-type: application/json` with an empty DELETE body; Graph ignores it.
  server.removeContentTypeParser('application/json');
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('The request body is not valid JSON.'), { statusCode: 400 }));
    }
  });

  server.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    void reject(reply, graphError(100, error.message));
  });

  server.setNotFoundHandler((request, reply) => {
    void reply.code(400).send(toEnvelope({ code: 2500, message: `Unknown path components: ${request.url.split('?')[0]}`, details: 'Unknown path.', type: 'OAuthException' }));
  });

  server.post<{ Params: Params }>('/:version/:id/messages', async (request, reply) => {
    if (!admit(request, reply)) return reply;
    if (request.params.id !== config.phoneNumberId) return reject(reply, { ...unknownObjectError(request.params.id), message: unknownObjectError(request.params.id).message.replace('get request', 'post request') });
    const result = core.sendFromBusiness(request.body);
    return result.ok ? reply.send(result.value) : reject(reply, result.error);
  });

  server.post<{ Params: Params }>('/:version/:id/media', async (request, reply) => {
    if (!admit(request, reply)) return reply;
    if (request.params.id !== config.phoneNumberId) return reject(reply, unknownObjectError(request.params.id));
    const contentType = request.headers['content-type'] ?? '';
    if (!contentType.startsWith('multipart/form-data') || !Buffer.isBuffer(request.body))
      return reject(reply, graphError(100, 'Upload media as multipart/form-data with fields messaging_product, type and file.'));
    const form = await new Response(request.body, { headers: { 'content-type': contentType } }).formData().catch(() => undefined);
    if (!form) return reject(reply, graphError(100, 'The multipart body could not be parsed.'));
    if (form.get('messaging_product') !== 'whatsapp') return reject(reply, graphError(100, 'The parameter messaging_product is required and must be "whatsapp".'));
    const file = form.get('file');
    if (file === null || typeof file === 'string') return reject(reply, graphError(100, 'The parameter file is required.'));
    const type = form.get('type');
    const mimeType = (typeof type === 'string' && type) || file.type;
    const stored = core.media.upload(Buffer.from(await file.arrayBuffer()), mimeType, file.name || undefined);
    return stored.ok ? reply.send({ id: stored.value.id }) : reject(reply, stored.error);
  });

  server.post<{ Params: Params; Querystring: Query }>('/:version/:id/uploads', async (request, reply) => {
    if (!admit(request, reply)) return reply;
    const started = core.uploads.start(request.params.id, request.query);
    return started.ok ? reply.send(started.value) : reject(reply, started.error);
  });

  server.get<{ Params: Params; Querystring: Query }>('/:version/:id', async (request, reply) => {
    if (!admit(request, reply)) return reply;
    const { id } = request.params;
    if (id.startsWith('upload:')) {
      const status = core.uploads.status(id);
      return status.ok ? reply.send(status.value) : reject(reply, status.error);
    }
    const fields = request.query.fields?.split(',').map((field) => field.trim()).filter(Boolean);
    if (id === config.phoneNumberId) return reply.send(pick(phoneNumberInfo(core), fields));
    if (id === config.wabaId) return reply.send(pick(wabaInfo(core), fields));
    const media = core.media.get(id);
    if (media)
      return reply.send({
        url: core.media.downloadUrl(baseUrlOf(request), media),
        mime_type: media.mimeType,
        sha256: media.sha256,
        file_size: String(media.bytes.length),
        id: media.id,
        messaging_product: 'whatsapp',
      });
    const template = core.templates.byId(id);
    const unknownField = unknownTemplateField(fields);
    if (template && unknownField) return reject(reply, nonexistingFieldError(unknownField, TEMPLATE_NODE));
    if (template) return reply.send(templateToWire(template, fields));
    return reject(reply, unknownObjectError(id));
  });

  server.delete<{ Params: Params }>('/:version/:id', async (request, reply) => {
    if (!admit(request, reply)) return reply;
    return core.media.delete(request.params.id) ? reply.send({ success: true }) : reject(reply, unknownObjectError(request.params.id));
  });

  server.post<{ Params: Params }>('/:version/:id', async (request, reply) => {
    if (!admit(request, reply)) return reply;
    if (request.params.id.startsWith('upload:')) {
      const offset = request.headers['file_offset'];
      const written = core.uploads.write(request.params.id, Array.isArray(offset) ? offset[0] : offset, Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));
      return written.ok ? reply.send(written.value) : reject(reply, written.error);
    }
    if (!core.templates.byId(request.params.id)) return reject(reply, unknownObjectError(request.params.id));
    const edited = core.templates.edit(request.params.id, (request.body ?? {}) as Record<string, unknown>);
    return edited.ok ? reply.send({ success: true }) : reject(reply, edited.error);
  });

  server.get<{ Params: Params; Querystring: Query }>('/:version/:id/message_templates', async (request, reply) => {
    if (!admit(request, reply)) return reply;
    if (request.params.id !== config.wabaId) return reject(reply, unknownObjectError(request.params.id));
    const { query } = request;
    const fields = query.fields?.split(',').map((field) => field.trim()).filter(Boolean);
    const unknownField = unknownTemplateField(fields);
    if (unknownField) return reject(reply, nonexistingFieldError(unknownField, TEMPLATE_NODE));
    const page = core.templates.list({
      limit: query.limit === undefined ? undefined : Number(query.limit),
      after: query.after,
      before: query.before,
      name: query.name,
      language: query.language,
      status: query.status,
      category: query.category,
    });
    const pageUrl = (cursor: 'after' | 'before', value: string) => {
      const url = new URL(`${baseUrlOf(request)}/${request.params.version}/${config.wabaId}/message_templates`);
      for (const [key, param] of Object.entries(query)) if (param !== undefined && key !== 'after' && key !== 'before') url.searchParams.set(key, param);
      url.searchParams.set('limit', String(query.limit ?? 25));
      url.searchParams.set(cursor, value);
      return url.toString();
    };
    return reply.send({
      data: page.items.map((template) => templateToWire(template, fields)),
      paging: {
        cursors: { before: page.before ?? '', after: page.after ?? '' },
        ...(page.hasNext && page.after ? { next: pageUrl('after', page.after) } : {}),
        ...(page.hasPrevious && page.before ? { previous: pageUrl('before', page.before) } : {}),
      },
    });
  });

  server.post<{ Params: Params }>('/:version/:id/message_templates', async (request, reply) => {
    if (!admit(request, reply)) return reply;
    if (request.params.id !== config.wabaId) return reject(reply, unknownObjectError(request.params.id));
    const created = core.templates.create(request.body);
    if (!created.ok) return reject(reply, created.error);
    return reply.send({ id: created.value.id, status: created.value.status, category: created.value.category });
  });

  server.delete<{ Params: Params; Querystring: Query }>('/:version/:id/message_templates', async (request, reply) => {
    if (!admit(request, reply)) return reply;
    if (request.params.id !== config.wabaId) return reject(reply, unknownObjectError(request.params.id));
    const { name, hsm_id: hsmId } = request.query;
    if (!name) return reject(reply, graphError(100, 'The parameter name is required.'));
    return core.templates.delete(name, hsmId)
      ? reply.send({ success: true })
      : reject(reply, graphError(100, `Message template "${name}" does not exist${hsmId ? ` with id ${hsmId}` : ''}.`));
  });

  server.post<{ Params: Params }>('/:version/:id/subscribed_apps', async (request, reply) => {
    if (!admit(request, reply)) return reply;
    return request.params.id === config.wabaId ? reply.send({ success: true }) : reject(reply, unknownObjectError(request.params.id));
  });

  server.get<{ Querystring: Query }>('/whatsapp_business/attachments/', async (request, reply) => {
    if (!authorised(request)) return reject(reply, invalidTokenError());
    const media = core.media.resolveDownload(request.query);
    if (!media) return reply.code(404).send('Not Found');
    return reply.header('content-type', media.mimeType).header('content-length', media.bytes.length).send(media.bytes);
  });
}

function phoneNumberInfo(core: SimulatorCore): Record<string, unknown> {
  const digits = core.config.displayPhoneNumber;
  const display = /^1\d{10}$/.test(digits) ? `+1 ${digits.slice(1, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}` : `+${digits}`;
  return {
    verified_name: core.config.verifiedName,
    code_verification_status: 'VERIFIED',
    display_phone_number: display,
    quality_rating: 'GREEN',
    platform_type: 'CLOUD_API',
    throughput: { level: 'STANDARD' },
    name_status: 'APPROVED',
    status: 'CONNECTED',
    whatsapp_business_manager_messaging_limit: core.messagingLimit,
    webhook_configuration: { application: core.dispatcher.webhookUrl ?? '' },
    id: core.config.phoneNumberId,
  };
}

function wabaInfo(core: SimulatorCore): Record<string, unknown> {
  return {
    id: core.config.wabaId,
    name: `${core.config.verifiedName} WABA`,
    currency: 'USD',
    timezone_id: '1',
    message_template_namespace: 'obrol_wa_sim_namespace',
  };
}

const DEFAULT_PHONE_FIELDS = ['verified_name', 'code_verification_status', 'display_phone_number', 'quality_rating', 'platform_type', 'throughput', 'id'];

/** Graph answers only the requested `fields`, always with `id`. */
function pick(object: Record<string, unknown>, fields: string[] | undefined): Record<string, unknown> {
  const wanted = fields ?? (object.platform_type ? DEFAULT_PHONE_FIELDS : Object.keys(object));
  return Object.fromEntries(Object.entries(object).filter(([key]) => wanted.includes(key) || key === 'id'));
}
