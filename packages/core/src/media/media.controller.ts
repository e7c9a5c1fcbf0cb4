import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { MediaService } from './media.service.js';

interface Reply {
  header(name: string, value: string): Reply;
  send(body: unknown): void;
}

@ApiTags('media')
@ApiBearerAuth()
@Controller('api/v1/media')
export class MediaController {
  constructor(private readonly media: MediaService) {}

  /** The bytes of a stored media file (inbound attachments), for agents of its inbox. */
  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() reply: Reply) {
    const { media, stream } = await this.media.open(principal, id);
    reply
      .header('content-type', media.mimeType)
      .header('content-length', String(media.sizeBytes))
      .header('cache-control', 'private, max-age=86400')
      .header('x-content-type-options', 'nosniff')
      .header('content-disposition', `${media.mimeType.startsWith('image/') ? 'inline' : 'attachment'}; filename="${(media.filename ?? media.id).replace(/["\\\r\n]/g, '_')}"`)
      .send(stream);
  }
}
