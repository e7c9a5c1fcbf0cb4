import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { ObrolError, messageViewSchema } from '@obrol/contracts';
import type { z } from 'zod';
import { CurrentPrincipal, RequiresScope } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors, ApiJsonBody, ApiOk, ApiPage, ApiQueryFrom } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { MessagesService, listMessagesQuerySchema, sendMessageSchema, sendToPhoneSchema } from './messages.service.js';

@ApiTags('messages')
@ApiBearerAuth()
@Controller('api/v1')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Get('conversations/:id/messages')
  @ApiPage(messageViewSchema)
  @ApiErrors(400, 401, 404)
  @ApiQueryFrom(listMessagesQuerySchema)
  list(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query(validate(listMessagesQuerySchema, 'query')) query: z.infer<typeof listMessagesQuerySchema>) {
    return this.messages.list(principal, id, query);
  }

  /**
   * Reply in a conversation: a session message (`content`) inside the reply window, or a
   * template (`template`) at any time. Outside the window a session message is refused with
   * 422 `WINDOW_CLOSED`. Accepted messages are queued (202) and sent by a worker.
   */
  @Post('conversations/:id/messages')
  @RequiresScope('send')
  @HttpCode(202)
  @ApiJsonBody(sendMessageSchema)
  @ApiOk(messageViewSchema, 202)
  @ApiErrors(400, 401, 404, 422)
  send(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body(validate(sendMessageSchema)) body: z.infer<typeof sendMessageSchema>) {
    return this.messages.sendToConversation(principal, id, body);
  }

  /** For back-end systems (OTP, invoices): send to a phone number on a channel account. */
  @Post('messages')
  @RequiresScope('send')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retries with the same key return the first message.' })
  @ApiJsonBody(sendToPhoneSchema)
  @ApiOk(messageViewSchema, 202)
  @ApiOk(messageViewSchema, 200)
  @ApiErrors(400, 401, 404, 409, 422)
  async sendToPhone(
    @CurrentPrincipal() principal: Principal,
    @Body(validate(sendToPhoneSchema)) body: z.infer<typeof sendToPhoneSchema>,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: { status(code: number): unknown },
  ) {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(idempotencyKey)) {
      throw new ObrolError('VALIDATION_FAILED', 'Idempotency-Key must be 1–255 visible ASCII characters.');
    }
    const { message, replayed } = await this.messages.sendToPhone(principal, body, idempotencyKey);
    reply.status(replayed ? 200 : 202);
    return message;
  }
}
