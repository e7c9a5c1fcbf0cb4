import { Body, Controller, HttpCode, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, bearerToken } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors, ApiJsonBody, ApiOk } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { AgentsService, agentViewSchema, changeOwnPasswordSchema, updateOwnAccountSchema } from './agents.service.js';

/** The signed-in agent's own account: name, language, notifications, password. */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/v1/me')
export class AccountController {
  constructor(private readonly agents: AgentsService) {}

  @Patch()
  @ApiJsonBody(updateOwnAccountSchema)
  @ApiOk(agentViewSchema)
  @ApiErrors(400, 401, 403)
  update(@CurrentPrincipal() principal: Principal, @Body(validate(updateOwnAccountSchema)) body: z.infer<typeof updateOwnAccountSchema>) {
    return this.agents.updateOwn(principal, body);
  }

  /** Needs the current password; ends every other session of the agent (this one stays signed in). */
  @Post('password')
  @HttpCode(204)
  @ApiJsonBody(changeOwnPasswordSchema)
  @ApiErrors(400, 401, 403, 422)
  async changePassword(
    @CurrentPrincipal() principal: Principal,
    @Req() request: { headers: Record<string, string | undefined> },
    @Body(validate(changeOwnPasswordSchema)) body: z.infer<typeof changeOwnPasswordSchema>,
  ) {
    await this.agents.changeOwnPassword(principal, bearerToken(request.headers.authorization), body);
  }
}
