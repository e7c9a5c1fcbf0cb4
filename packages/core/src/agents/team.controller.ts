import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors, ApiJsonBody, ApiList, ApiOk } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { TeamService, teammateViewSchema, updatePresenceSchema } from './team.service.js';

@ApiTags('agents')
@ApiBearerAuth()
@Controller('api/v1')
export class TeamController {
  constructor(private readonly team: TeamService) {}

  /** Teammates (name, role, online/away, inboxes) of the caller's inboxes: for assigning and @mentions. */
  @Get('team')
  @ApiList(teammateViewSchema)
  @ApiErrors(401)
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: await this.team.list(principal) };
  }

  /** The agent sets themselves online (receives auto-assigned conversations) or away. */
  @Put('me/presence')
  @ApiJsonBody(updatePresenceSchema)
  @ApiOk(teammateViewSchema)
  @ApiErrors(400, 401, 403)
  setPresence(@CurrentPrincipal() principal: Principal, @Body(validate(updatePresenceSchema)) body: z.infer<typeof updatePresenceSchema>) {
    return this.team.setPresence(principal, body.presence);
  }
}
