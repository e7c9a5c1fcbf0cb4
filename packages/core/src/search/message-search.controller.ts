import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { messageSearchHitSchema } from '@obrol/contracts';
import type { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors, ApiPage, ApiQueryFrom } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { MessageSearchService, searchMessagesQuerySchema } from './message-search.service.js';

@ApiTags('search')
@ApiBearerAuth()
@Controller('api/v1/search')
export class MessageSearchController {
  constructor(private readonly search: MessageSearchService) {}

  /**
   * Messages whose text matches every word of `q` (by prefix), or a phone number in any format,
   * in the caller's inboxes, newest first, each with a snippet and its conversation. A query
   * without a letter or digit is 400 `SEARCH_QUERY_INVALID`.
   */
  @Get('messages')
  @ApiQueryFrom(searchMessagesQuerySchema)
  @ApiPage(messageSearchHitSchema)
  @ApiErrors(400, 401)
  messages(@CurrentPrincipal() principal: Principal, @Query(validate(searchMessagesQuerySchema, 'query')) query: z.infer<typeof searchMessagesQuerySchema>) {
    return this.search.search(principal, query);
  }
}
