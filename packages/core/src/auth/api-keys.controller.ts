import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ObrolError } from '@obrol/contracts';
import { z } from 'zod';
import { ApiErrors, ApiJsonBody, ApiList, ApiOk } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { ApiKey } from './api-key.entity.js';
import { CurrentPrincipal } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { API_KEY_SCOPES, type Principal, assertAdmin } from './principal.js';

export const createApiKeySchema = z.object({
  name: z.string().trim().min(1).max(200),
  inboxIds: z.array(z.string().max(36)).min(1).max(500).nullable().default(null).describe('limit the key to these inboxes (channel account ids); null or absent: every inbox'),
  scopes: z
    .array(z.enum(API_KEY_SCOPES))
    .min(1)
    .default(['read', 'send'])
    .describe('read: GET routes and the realtime socket; send: send messages and upload media to send; a key with both may also make other changes'),
});

const apiKeyViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('the first characters of the key, to tell keys apart'),
  inboxIds: z.array(z.string()).nullable().describe('the inboxes the key is limited to; null: every inbox'),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});

const view = (k: ApiKey): z.infer<typeof apiKeyViewSchema> => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  inboxIds: k.inboxIds,
  scopes: k.scopes,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

/** API keys for back-end systems (admins only). The key is shown once, at creation. */
@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(
    private readonly orm: MikroORM,
    private readonly auth: AuthService,
  ) {}

  @Get()
  @ApiList(apiKeyViewSchema)
  @ApiErrors(401, 403)
  async list(@CurrentPrincipal() principal: Principal) {
    assertAdmin(principal);
    const keys = await this.orm.em.fork().find(ApiKey, { tenantId: principal.tenantId }, { orderBy: { createdAt: 'desc' } });
    return { items: keys.map(view) };
  }

  @Post()
  @ApiJsonBody(createApiKeySchema)
  @ApiOk(apiKeyViewSchema.extend({ key: z.string().describe('the key; shown only now') }), 201)
  @ApiErrors(400, 401, 403)
  async create(@CurrentPrincipal() principal: Principal, @Body(validate(createApiKeySchema)) body: z.infer<typeof createApiKeySchema>) {
    assertAdmin(principal);
    const { key, apiKey } = await this.auth.createApiKey(principal.tenantId, body.name, principal.kind === 'agent' ? principal.agentId : null, { inboxIds: body.inboxIds, scopes: body.scopes });
    return { ...view(apiKey), key };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiErrors(401, 403, 404)
  async revoke(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    assertAdmin(principal);
    const em = this.orm.em.fork();
    const key = await em.findOne(ApiKey, { id, tenantId: principal.tenantId });
    if (!key) throw new ObrolError('NOT_FOUND', 'API key not found.');
    key.revokedAt ??= new Date();
    await em.flush();
  }
}
