import { Readable } from 'node:stream';
import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ObrolError } from '@obrol/contracts';
import { ApiErrors, ApiJsonBody, ApiOk, ApiPage, ApiQueryFrom, CurrentPrincipal, type Principal, RequiresScope, firstFilePart, validate } from '@obrol/core';
import { z } from 'zod';
import {
  audienceImportSchema,
  broadcastViewSchema,
  createBroadcastSchema,
  failureGroupsSchema,
  listBroadcastsQuerySchema,
  listRecipientsQuerySchema,
  recipientViewSchema,
  scheduleBroadcastSchema,
  updateBroadcastSchema,
} from './broadcast.schemas.js';
import { broadcastView } from './broadcast.view.js';
import { BroadcastsService } from './broadcasts.service.js';

const previewQuerySchema = z.object({ recipientId: z.string().max(36).optional(), phone: z.string().max(20).optional() }).refine((q) => !!q.recipientId !== !!q.phone, {
  message: 'give recipientId or phone, one of them',
});

/** Biggest CSV accepted in a multipart upload (a million rows fit well under it). */
const MAX_AUDIENCE_FILE_BYTES = 200 * 1024 * 1024;

type UploadRequest = Parameters<typeof firstFilePart>[0];

interface Reply {
  header(name: string, value: string): Reply;
  send(body: unknown): void;
}

/** `/api/v1/broadcasts`: drafts, audiences, checks, and the run's controls. */
@ApiTags('broadcasts')
@ApiBearerAuth()
@Controller('api/v1/broadcasts')
export class BroadcastsController {
  constructor(private readonly broadcasts: BroadcastsService) {}

  @Post()
  @RequiresScope('send')
  @ApiJsonBody(createBroadcastSchema)
  @ApiOk(broadcastViewSchema, 201)
  @ApiErrors(400, 401, 404, 422)
  create(@CurrentPrincipal() principal: Principal, @Body(validate(createBroadcastSchema)) body: z.infer<typeof createBroadcastSchema>) {
    return this.broadcasts.create(principal, body);
  }

  @Get()
  @ApiPage(broadcastViewSchema)
  @ApiQueryFrom(listBroadcastsQuerySchema)
  @ApiErrors(400, 401)
  list(@CurrentPrincipal() principal: Principal, @Query(validate(listBroadcastsQuerySchema, 'query')) query: z.infer<typeof listBroadcastsQuerySchema>) {
    return this.broadcasts.list(principal, query);
  }

  @Get(':id')
  @ApiOk(broadcastViewSchema)
  @ApiErrors(401, 404)
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return broadcastView(await this.broadcasts.get(principal, id));
  }

  /** Only a draft can be changed. */
  @Patch(':id')
  @RequiresScope('send')
  @ApiJsonBody(updateBroadcastSchema)
  @ApiOk(broadcastViewSchema)
  @ApiErrors(400, 401, 404, 409, 422)
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body(validate(updateBroadcastSchema)) body: z.infer<typeof updateBroadcastSchema>) {
    return this.broadcasts.update(principal, id, body);
  }

  /**
   * The audience as CSV, the body (`text/csv`) or a file field (`multipart/form-data`, streamed),
   * with a header row naming a phone column; every other column can feed a variable. Replaces the previous upload. With any row error nothing is imported:
   * 422 `AUDIENCE_INVALID` lists each error with its row number (the header is row 1). Answered once the new audience is in,
   * whole; until then the broadcast keeps the previous one, and keeps it when it leaves draft meanwhile (409) or Obrol stops (503).
   */
  @Post(':id/audience')
  @RequiresScope('send')
  @ApiConsumes('text/csv', 'multipart/form-data')
  @ApiBody({ schema: { type: 'string', example: 'phone,name,order\n081234567890,Sari,#1042' } })
  @ApiOk(audienceImportSchema, 201)
  @ApiErrors(400, 401, 404, 409, 413, 415, 422, 503)
  async importAudience(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown, @Req() request: UploadRequest) {
    if (typeof body === 'string') return this.broadcasts.importAudience(principal, id, body);
    const file = await firstFilePart(request, MAX_AUDIENCE_FILE_BYTES);
    if (file) return this.broadcasts.importAudience(principal, id, file.stream);
    throw new ObrolError('UNSUPPORTED_MEDIA_TYPE', 'Send the CSV as the body with Content-Type: text/csv, or as a file field of multipart/form-data.');
  }

  @Get(':id/preview')
  @ApiQueryFrom(z.object({ recipientId: z.string().optional(), phone: z.string().optional() }))
  @ApiErrors(400, 401, 404)
  preview(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query(validate(previewQuerySchema, 'query')) query: z.infer<typeof previewQuerySchema>) {
    return this.broadcasts.preview(principal, id, query);
  }

  @Post(':id/validate')
  @HttpCode(200)
  @ApiErrors(401, 404, 422)
  validate(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.broadcasts.validate(principal, id);
  }

  @Get(':id/estimate')
  @ApiErrors(401, 404, 422)
  estimate(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.broadcasts.estimate(principal, id);
  }

  /** Start now, or at `at` (a local date-time) in `timeZone`. */
  @Post(':id/start')
  @RequiresScope('send')
  @HttpCode(200)
  @ApiJsonBody(scheduleBroadcastSchema)
  @ApiOk(broadcastViewSchema)
  @ApiErrors(400, 401, 404, 409, 422)
  start(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body(validate(scheduleBroadcastSchema)) body: z.infer<typeof scheduleBroadcastSchema> | undefined) {
    return this.broadcasts.start(principal, id, body ?? {});
  }

  @Post(':id/pause')
  @RequiresScope('send')
  @HttpCode(200)
  @ApiOk(broadcastViewSchema)
  @ApiErrors(401, 404, 409)
  pause(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.broadcasts.pause(principal, id);
  }

  @Post(':id/resume')
  @RequiresScope('send')
  @HttpCode(200)
  @ApiOk(broadcastViewSchema)
  @ApiErrors(401, 404, 409, 422)
  resume(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.broadcasts.resume(principal, id);
  }

  @Post(':id/cancel')
  @RequiresScope('send')
  @HttpCode(200)
  @ApiOk(broadcastViewSchema)
  @ApiErrors(401, 404, 409)
  cancel(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.broadcasts.cancel(principal, id);
  }

  @Post(':id/retry-failed')
  @RequiresScope('send')
  @HttpCode(200)
  @ApiOk(broadcastViewSchema)
  @ApiErrors(401, 404, 409)
  retryFailed(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.broadcasts.retryFailed(principal, id);
  }

  /** Failed recipients counted per error code (Meta's, e.g. 131026), with one of its reasons; largest first. */
  @Get(':id/failures')
  @ApiOk(failureGroupsSchema)
  @ApiErrors(401, 404)
  failures(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.broadcasts.failures(principal, id);
  }

  @Get(':id/recipients')
  @ApiPage(recipientViewSchema)
  @ApiQueryFrom(listRecipientsQuerySchema)
  @ApiErrors(400, 401, 404)
  recipients(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query(validate(listRecipientsQuerySchema, 'query')) query: z.infer<typeof listRecipientsQuerySchema>) {
    return this.broadcasts.recipients(principal, id, query);
  }

  /** Every recipient with status and reason, as CSV. */
  @Get(':id/recipients.csv')
  @ApiProduces('text/csv')
  @ApiErrors(401, 404)
  async exportCsv(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() reply: Reply) {
    const lines = this.broadcasts.exportCsv(principal, id);
    const first = await lines.next();
    const rest = async function* () {
      if (!first.done) yield first.value;
      yield* lines;
    };
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="broadcast-${id}-recipients.csv"`).send(Readable.from(rest()));
  }
}
