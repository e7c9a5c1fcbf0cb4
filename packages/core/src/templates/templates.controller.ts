import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { ObrolError, templateDraftSchema } from '@obrol/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { ChannelsService } from '../channels/channels.service.js';
import { ApiErrors, ApiJsonBody, ApiList, ApiOk, ApiQueryFrom } from '../http/api-docs.js';
import { MULTIPART_MAX_FILE_BYTES, firstFilePart } from '../http/multipart.js';
import { validate } from '../http/zod-validation.pipe.js';
import {
  TemplatesService,
  deleteTemplatesQuerySchema,
  lintTemplateSchema,
  listTemplatesQuerySchema,
  registerTemplateSchema,
  templateDeletionSchema,
  templateProblemSchema,
  templateSyncResultSchema,
  templateViewSchema,
} from './templates.service.js';

@ApiTags('templates')
@ApiBearerAuth()
@Controller('api/v1/channels/:channelId/templates')
export class TemplatesController {
  constructor(
    private readonly templates: TemplatesService,
    private readonly channels: ChannelsService,
  ) {}

  @Get()
  @ApiQueryFrom(listTemplatesQuerySchema)
  @ApiList(templateViewSchema)
  @ApiErrors(401, 404)
  async list(@CurrentPrincipal() principal: Principal, @Param('channelId') channelId: string, @Query(validate(listTemplatesQuerySchema, 'query')) query: z.infer<typeof listTemplatesQuerySchema>) {
    return { items: await this.templates.list(principal, channelId, query) };
  }

  /** Lint, then submit a template for approval; it starts PENDING. */
  @Post()
  @ApiJsonBody(templateDraftSchema)
  @ApiOk(templateViewSchema, 201)
  @ApiErrors(400, 401, 403, 404, 409, 422)
  create(@CurrentPrincipal() principal: Principal, @Param('channelId') channelId: string, @Body(validate(templateDraftSchema)) body: z.infer<typeof templateDraftSchema>) {
    return this.templates.create(principal, channelId, body);
  }

  /** The channel's linter over a draft (as the admin types); `problems` is empty when it looks fine. */
  @Post('lint')
  @HttpCode(200)
  @ApiJsonBody(lintTemplateSchema)
  @ApiOk(z.object({ problems: z.array(templateProblemSchema) }))
  @ApiErrors(401, 404, 422)
  async lint(@CurrentPrincipal() principal: Principal, @Param('channelId') channelId: string, @Body(validate(lintTemplateSchema)) body: z.infer<typeof lintTemplateSchema>) {
    return { problems: await this.templates.lint(principal, channelId, body.draft) };
  }

  /**
   * Upload the sample file of a media header (`multipart/form-data`, one `file` part): the
   * provider checks its type and size and answers the `handle` to put in the draft's
   * `components.header.exampleUrl`.
   */
  @Post('header-samples')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } })
  @ApiOk(z.object({ handle: z.string() }), 201)
  @ApiErrors(400, 401, 403, 404, 413, 415, 422)
  async uploadHeaderSample(@CurrentPrincipal() principal: Principal, @Param('channelId') channelId: string, @Req() request: FastifyRequest) {
    const part = await firstFilePart(request, MULTIPART_MAX_FILE_BYTES);
    if (!part) throw new ObrolError('UNSUPPORTED_MEDIA_TYPE', 'Send the sample as multipart/form-data with one file part.');
    const chunks: Buffer[] = [];
    for await (const chunk of part.stream) chunks.push(chunk as Buffer);
    return this.templates.uploadHeaderSample(principal, channelId, { bytes: Buffer.concat(chunks), mimeType: part.mimeType, ...(part.filename ? { filename: part.filename } : {}) });
  }

  /** Register a template that already exists at the provider (e.g. approved in WhatsApp Manager), checked there. */
  @Post('register')
  @ApiJsonBody(registerTemplateSchema)
  @ApiOk(templateViewSchema, 201)
  @ApiErrors(400, 401, 403, 404, 422, 503)
  register(@CurrentPrincipal() principal: Principal, @Param('channelId') channelId: string, @Body(validate(registerTemplateSchema)) body: z.infer<typeof registerTemplateSchema>) {
    return this.templates.register(principal, channelId, body);
  }

  /** Edit a rejected, paused or approved template and resubmit it (same name and language); it is PENDING again. */
  @Put(':templateId')
  @ApiJsonBody(templateDraftSchema)
  @ApiOk(templateViewSchema)
  @ApiErrors(400, 401, 403, 404, 409, 422)
  update(@CurrentPrincipal() principal: Principal, @Param('channelId') channelId: string, @Param('templateId') templateId: string, @Body(validate(templateDraftSchema)) body: z.infer<typeof templateDraftSchema>) {
    return this.templates.update(principal, channelId, templateId, body);
  }

  /** Pull every template from the provider now (also registers templates made elsewhere). */
  @Post('sync')
  @HttpCode(200)
  @ApiOk(templateSyncResultSchema)
  @ApiErrors(401, 404, 502, 503)
  async sync(@CurrentPrincipal() principal: Principal, @Param('channelId') channelId: string) {
    await this.channels.get(principal, channelId);
    return this.templates.sync(channelId);
  }

  /** Delete every language of the template `name`; the answer lists what went (`scope: name`). */
  @Delete()
  @HttpCode(200)
  @ApiQueryFrom(deleteTemplatesQuerySchema)
  @ApiOk(templateDeletionSchema)
  @ApiErrors(400, 401, 403, 404)
  removeByName(@CurrentPrincipal() principal: Principal, @Param('channelId') channelId: string, @Query(validate(deleteTemplatesQuerySchema, 'query')) query: z.infer<typeof deleteTemplatesQuerySchema>) {
    return this.templates.removeByName(principal, channelId, query.name);
  }

  /**
   * Delete one language of a template (`scope: language`). A template the provider gave no id
   * can only be deleted with all its languages; the answer then says `scope: name`.
   */
  @Delete(':templateId')
  @HttpCode(200)
  @ApiOk(templateDeletionSchema)
  @ApiErrors(401, 403, 404)
  remove(@CurrentPrincipal() principal: Principal, @Param('channelId') channelId: string, @Param('templateId') templateId: string) {
    return this.templates.remove(principal, channelId, templateId);
  }
}
