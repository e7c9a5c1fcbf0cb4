import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors, ApiJsonBody, ApiList, ApiOk } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { NotesService, createNoteSchema, noteViewSchema } from './notes.service.js';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('api/v1/conversations/:id/notes')
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  /** The conversation's private notes, oldest first. */
  @Get()
  @ApiList(noteViewSchema)
  @ApiErrors(401, 404)
  async list(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return { items: await this.notes.list(principal, id) };
  }

  /** Adds a private note (never sent to the customer); mentioned agents get a live `agent.mentioned` event. */
  @Post()
  @ApiJsonBody(createNoteSchema)
  @ApiOk(noteViewSchema, 201)
  @ApiErrors(400, 401, 403, 404)
  create(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body(validate(createNoteSchema)) body: z.infer<typeof createNoteSchema>) {
    return this.notes.create(principal, id, body);
  }
}
