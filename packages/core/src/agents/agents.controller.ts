import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors, ApiJsonBody, ApiList, ApiOk } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { passwordLinkSchema } from '../auth/password-links.service.js';
import { AgentsService, agentViewSchema, createAgentSchema, updateAgentSchema } from './agents.service.js';

@ApiTags('agents')
@ApiBearerAuth()
@Controller('api/v1/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get()
  @ApiList(agentViewSchema)
  @ApiErrors(401, 403)
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: await this.agents.list(principal) };
  }

  /** Admins add agents: with a password, or invited (no password) with a one-time set-password link to hand over. */
  @Post()
  @ApiJsonBody(createAgentSchema)
  @ApiOk(agentViewSchema.extend({ setPasswordLink: passwordLinkSchema.optional().describe('for an invitation: the link to hand over, shown once') }), 201)
  @ApiErrors(400, 401, 403, 409)
  create(@CurrentPrincipal() principal: Principal, @Body(validate(createAgentSchema)) body: z.infer<typeof createAgentSchema>) {
    return this.agents.create(principal, body);
  }

  @Patch(':id')
  @ApiJsonBody(updateAgentSchema)
  @ApiOk(agentViewSchema)
  @ApiErrors(400, 401, 403, 404)
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body(validate(updateAgentSchema)) body: z.infer<typeof updateAgentSchema>) {
    return this.agents.update(principal, id, body);
  }

  /** A one-time link where the agent sets a new password (no mail server: the admin hands it over). */
  @Post(':id/password-link')
  @HttpCode(201)
  @ApiOk(passwordLinkSchema, 201)
  @ApiErrors(401, 403, 404, 409)
  resetPasswordLink(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.agents.resetPasswordLink(principal, id);
  }
}
