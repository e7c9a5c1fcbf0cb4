import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify';
import { Readable } from 'node:stream';
import type { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors, ApiJsonBody, ApiOk, ApiPage, ApiQueryFrom } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { OptOutsService, addOptOutSchema, listOptOutsQuerySchema, optOutViewSchema } from './opt-outs.service.js';

interface Reply {
  status(code: number): Reply;
  header(name: string, value: string): Reply;
  send(body: unknown): void;
}

const exportQuerySchema = listOptOutsQuerySchema.pick({ channelAccountId: true, q: true });

@ApiTags('opt-outs')
@ApiBearerAuth()
@Controller('api/v1/opt-outs')
export class OptOutsController {
  constructor(private readonly optOuts: OptOutsService) {}

  /** Opted-out contacts, most recent first; `q` matches a name or a phone number (+6281… or 0812…). */
  @Get()
  @ApiQueryFrom(listOptOutsQuerySchema)
  @ApiPage(optOutViewSchema)
  @ApiErrors(400, 401, 404)
  list(@CurrentPrincipal() principal: Principal, @Query(validate(listOptOutsQuerySchema, 'query')) query: z.infer<typeof listOptOutsQuerySchema>) {
    return this.optOuts.list(principal, query);
  }

  /** The whole register as CSV (streamed): phone, name, channel account, when, source, reason. */
  @Get('export.csv')
  @ApiQueryFrom(exportQuerySchema)
  @ApiProduces('text/csv')
  @ApiErrors(400, 401, 404)
  export(@CurrentPrincipal() principal: Principal, @Query(validate(exportQuerySchema, 'query')) query: z.infer<typeof exportQuerySchema>, @Res() reply: Reply) {
    const csv = stringify({ header: true, columns: ['phone', 'name', 'channelAccountId', 'contactId', 'optedOutAt', 'source', 'reason'] });
    Readable.from(this.optOuts.exportRows(principal, query)).on('error', (error) => csv.destroy(error)).pipe(csv);
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="opt-outs.csv"').send(csv);
  }

  /** Opts a customer out by phone number on a channel account (the contact is created if new) or by contact id. */
  @Post()
  @ApiJsonBody(addOptOutSchema)
  @ApiOk(optOutViewSchema, 201)
  @ApiErrors(400, 401, 404)
  async add(@CurrentPrincipal() principal: Principal, @Body(validate(addOptOutSchema)) body: z.infer<typeof addOptOutSchema>, @Res() reply: Reply) {
    const { optOut, created } = await this.optOuts.add(principal, body);
    reply.status(created ? 201 : 200).send(optOut);
  }

  /** Opts the customer back in (admins and marketers). */
  @Delete(':contactId')
  @HttpCode(204)
  @ApiErrors(401, 403, 404)
  async remove(@CurrentPrincipal() principal: Principal, @Param('contactId') contactId: string) {
    await this.optOuts.remove(principal, contactId);
  }
}
