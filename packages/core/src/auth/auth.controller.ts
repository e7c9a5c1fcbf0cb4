import { Body, Controller, Get, HttpCode, Ip, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AgentsService, agentViewSchema } from '../agents/agents.service.js';
import { ApiErrors, ApiJsonBody, ApiOk } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { CurrentPrincipal, Public, bearerToken } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import type { Principal } from './principal.js';

export const loginSchema = z.object({
  email: z.email().max(320),
  password: z.string().min(1).max(1024),
});

@ApiTags('auth')
@Controller('api/v1')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly agents: AgentsService,
  ) {}

  /** Exchange email and password for a session token. Rate limited per client address and per account. */
  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiJsonBody(loginSchema)
  @ApiOk(z.object({ token: z.string(), expiresAt: z.iso.datetime(), agent: agentViewSchema }))
  @ApiErrors(400, 401, 429)
  async login(@Body(validate(loginSchema)) body: z.infer<typeof loginSchema>, @Ip() address: string) {
    const { token, expiresAt, agent } = await this.auth.login(body.email, body.password, address);
    return { token, expiresAt: expiresAt.toISOString(), agent: await this.agents.viewById(agent.id) };
  }

  @ApiBearerAuth()
  @Post('auth/logout')
  @HttpCode(204)
  async logout(@Req() request: { headers: Record<string, string | undefined> }) {
    const token = bearerToken(request.headers.authorization);
    if (token) await this.auth.logout(token);
  }

  /** The caller: an agent (with role and inboxes) or an API key. */
  @ApiBearerAuth()
  @Get('me')
  @ApiOk(z.union([agentViewSchema.extend({ kind: z.literal('agent') }), z.object({ kind: z.literal('api-key'), id: z.string() })]))
  @ApiErrors(401)
  async me(@CurrentPrincipal() principal: Principal) {
    if (principal.kind === 'agent') return { kind: 'agent', ...(await this.agents.viewById(principal.agentId)) };
    return principal.kind === 'api-key' ? { kind: 'api-key', id: principal.apiKeyId } : { kind: 'system' };
  }
}
