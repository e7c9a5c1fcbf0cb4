import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors, ApiJsonBody, ApiList, ApiOk } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { CannedResponsesService, cannedResponseInputSchema, cannedResponseViewSchema } from './canned-responses.service.js';

const updateSchema = cannedResponseInputSchema.partial();

@ApiTags('canned responses')
@ApiBearerAuth()
@Controller('api/v1/canned-responses')
export class CannedResponsesController {
  constructor(private readonly canned: CannedResponsesService) {}

  /** Every canned response of the workspace, by shortcut. */
  @Get()
  @ApiList(cannedResponseViewSchema)
  @ApiErrors(401)
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: await this.canned.list(principal) };
  }

  @Post()
  @ApiJsonBody(cannedResponseInputSchema)
  @ApiOk(cannedResponseViewSchema, 201)
  @ApiErrors(400, 401, 403, 409)
  create(@CurrentPrincipal() principal: Principal, @Body(validate(cannedResponseInputSchema)) body: z.infer<typeof cannedResponseInputSchema>) {
    return this.canned.create(principal, body);
  }

  @Patch(':id')
  @ApiJsonBody(updateSchema)
  @ApiOk(cannedResponseViewSchema)
  @ApiErrors(400, 401, 403, 404, 409)
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body(validate(updateSchema)) body: z.infer<typeof updateSchema>) {
    return this.canned.update(principal, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiErrors(401, 403, 404)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.canned.remove(principal, id);
  }
}
