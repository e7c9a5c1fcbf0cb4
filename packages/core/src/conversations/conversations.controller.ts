import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors, ApiJsonBody, ApiOk, ApiPage, ApiQueryFrom } from '../http/api-docs.js';
import { conversationViewSchema } from './conversation.view.js';
import { validate } from '../http/zod-validation.pipe.js';
import { ConversationsService, listConversationsQuerySchema, updateConversationSchema } from './conversations.service.js';
import { TypingIndicatorService, typingIndicatorResultSchema } from './typing-indicator.service.js';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('api/v1/conversations')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly typing: TypingIndicatorService,
  ) {}

  /** Conversations the caller may see, newest activity first; `window` filters by the reply window. */
  @Get()
  @ApiQueryFrom(listConversationsQuerySchema)
  @ApiPage(conversationViewSchema)
  @ApiErrors(400, 401)
  list(@CurrentPrincipal() principal: Principal, @Query(validate(listConversationsQuerySchema, 'query')) query: z.infer<typeof listConversationsQuerySchema>) {
    return this.conversations.list(principal, query);
  }

  @Get(':id')
  @ApiOk(conversationViewSchema)
  @ApiErrors(401, 404)
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.conversations.view(await this.conversations.get(principal, id));
  }

  /** Assign, resolve, reopen, snooze, tag (set, add or remove tags), or mark read. */
  @Patch(':id')
  @ApiOk(conversationViewSchema)
  @ApiErrors(400, 401, 404)
  @ApiJsonBody(updateConversationSchema)
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body(validate(updateConversationSchema)) body: z.infer<typeof updateConversationSchema>) {
    return this.conversations.update(principal, id, body);
  }

  /**
   * The agent is typing a reply: the customer sees "typing…" where the channel supports it.
   * Sent at most once per 20 s per conversation and only while the window is open; otherwise
   * answered with `sent: false` and a reason, never an error.
   */
  @Post(':id/typing')
  @HttpCode(200)
  @ApiOk(typingIndicatorResultSchema)
  @ApiErrors(401, 404)
  typingIndicator(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.typing.agentTyping(principal, id);
  }
}
