import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { ObrolError } from '@obrol/contracts';
import type { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors, ApiJsonBody, ApiOk, ApiPage, ApiQueryFrom } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { ContactsService, contactActivitySchema, contactImportResultSchema, contactView, contactViewSchema, importContactsQuerySchema, listContactsQuerySchema, updateContactSchema } from './contacts.service.js';

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('api/v1/contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get()
  @ApiQueryFrom(listContactsQuerySchema)
  @ApiPage(contactViewSchema)
  @ApiErrors(400, 401)
  list(@CurrentPrincipal() principal: Principal, @Query(validate(listContactsQuerySchema, 'query')) query: z.infer<typeof listContactsQuerySchema>) {
    return this.contacts.list(principal, query);
  }

  /** CSV (text/csv) with a header row: phone, name, tags (`;`-separated), other columns as attributes. */
  @Post('import')
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', example: 'phone,name,tags,city\n+6281234567890,Sari,vip;jakarta,Jakarta' } })
  @ApiQueryFrom(importContactsQuerySchema)
  @ApiOk(contactImportResultSchema, 201)
  @ApiErrors(400, 401, 404, 413, 415)
  importCsv(@CurrentPrincipal() principal: Principal, @Query(validate(importContactsQuerySchema, 'query')) query: z.infer<typeof importContactsQuerySchema>, @Body() body: unknown) {
    if (typeof body !== 'string') throw new ObrolError('UNSUPPORTED_MEDIA_TYPE', 'Send the CSV as the body with Content-Type: text/csv.');
    return this.contacts.importCsv(principal, query.channelAccountId, body);
  }

  @Get(':id')
  @ApiOk(contactViewSchema)
  @ApiErrors(401, 404)
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return contactView(await this.contacts.get(principal, id));
  }

  /** The contact's conversations (by phone, across the caller's inboxes) and the broadcasts it received. */
  @Get(':id/activity')
  @ApiOk(contactActivitySchema)
  @ApiErrors(401, 404)
  activity(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.contacts.activity(principal, id);
  }

  /** Edit the name, attributes (null removes one), tags (`tags`, `addTags`, `removeTags`), opt-in or opt-out. */
  @Patch(':id')
  @ApiOk(contactViewSchema)
  @ApiErrors(400, 401, 404)
  @ApiJsonBody(updateContactSchema)
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body(validate(updateContactSchema)) body: z.infer<typeof updateContactSchema>) {
    return this.contacts.update(principal, id, body);
  }
}
