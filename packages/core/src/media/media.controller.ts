import { Body, Controller, Get, Headers, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { ObrolError } from '@obrol/contracts';
import { create as contentDisposition } from 'content-disposition';
import { z } from 'zod';
import { ApiErrors, ApiOk, ApiQueryFrom } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { CurrentPrincipal, RequiresScope } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { MediaService } from './media.service.js';

interface Reply {
  header(name: string, value: string): Reply;
  send(body: unknown): void;
}

const uploadQuerySchema = z.object({
  channelAccountId: z.string().regex(/^[A-Za-z0-9_-]{1,36}$/, 'must be a channel account id'),
  filename: z.string().min(1).max(240).optional(),
});

@ApiTags('media')
@ApiBearerAuth()
@Controller('api/v1/media')
export class MediaController {
  constructor(private readonly media: MediaService) {}

  /**
   * Upload a file to send: either `multipart/form-data` with one `file` part (its own
   * Content-Type and filename), or the file's bytes as the body with its Content-Type. Checked
   * against the channel's media limits. Returns the `mediaId` to use in a message
   * (`{"type":"image","media":{"mediaId":"…"}}`).
   */
  @Post()
  @RequiresScope('send')
  @ApiConsumes('multipart/form-data', 'image/jpeg', 'image/png', 'image/webp', 'video/mp4', 'audio/ogg', 'audio/mpeg', 'application/pdf', 'application/octet-stream')
  @ApiBody({ schema: { oneOf: [{ type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] }, { type: 'string', format: 'binary' }] } })
  @ApiQueryFrom(uploadQuerySchema)
  @ApiOk(z.object({ mediaId: z.string(), mimeType: z.string(), sizeBytes: z.number().int(), sha256: z.string(), filename: z.string().nullable() }), 201)
  @ApiErrors(400, 401, 404, 413, 415)
  async upload(
    @CurrentPrincipal() principal: Principal,
    @Query(validate(uploadQuerySchema, 'query')) query: z.infer<typeof uploadQuerySchema>,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ) {
    const file = request.isMultipart() ? await this.filePart(request) : null;
    if (!file && (!Buffer.isBuffer(body) || !contentType)) {
      throw new ObrolError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data (a "file" part), or as the body with its Content-Type (e.g. image/jpeg).');
    }
    const input = file ?? { bytes: body as Buffer, mimeType: contentType!, filename: query.filename };
    const media = await this.media.upload(principal, query.channelAccountId, input);
    return { mediaId: media.id, mimeType: media.mimeType, sizeBytes: Number(media.sizeBytes), sha256: media.sha256, filename: media.filename };
  }

  /** The `file` part of a multipart upload, read whole (channel limits are far below memory's). */
  private async filePart(request: FastifyRequest): Promise<{ bytes: Buffer; mimeType: string; filename?: string }> {
    let part;
    try {
      part = await request.file();
    } catch (error) {
      throw new ObrolError('VALIDATION_FAILED', `The multipart body could not be read: ${(error as Error).message}`);
    }
    if (!part || part.fieldname !== 'file') throw new ObrolError('VALIDATION_FAILED', 'Send the file in a multipart part named "file".', { problems: [{ field: 'file', message: 'missing' }] });
    let bytes: Buffer;
    try {
      bytes = await part.toBuffer();
    } catch (error) {
      if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new ObrolError('PAYLOAD_TOO_LARGE', 'The file is larger than any channel accepts (100 MB).');
      throw new ObrolError('VALIDATION_FAILED', `The file could not be read: ${(error as Error).message}`);
    }
    return { bytes, mimeType: part.mimetype || 'application/octet-stream', filename: part.filename || undefined };
  }

  /** The bytes of a stored media file (inbound attachments), for agents of its inbox. */
  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() reply: Reply) {
    const { media, stream } = await this.media.open(principal, id);
    reply
      .header('content-type', media.mimeType)
      .header('content-length', String(media.sizeBytes))
      .header('cache-control', 'private, max-age=86400')
      .header('x-content-type-options', 'nosniff')
      // RFC 6266: an ASCII fallback plus filename*=UTF-8'' for any other name (Faktur-北京.pdf).
      .header('content-disposition', contentDisposition((media.filename ?? media.id).replace(/[\u0000-\u001f\u007f/\\]/g, '_'), { type: media.mimeType.startsWith('image/') ? 'inline' : 'attachment' }))
      .send(stream);
  }
}
