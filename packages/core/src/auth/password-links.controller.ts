import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors, ApiJsonBody, ApiOk } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { Public } from './auth.guard.js';
import { PasswordLinksService, passwordLinkInfoSchema, usePasswordLinkSchema } from './password-links.service.js';

/** The page behind a one-time set-password link (invitation or reset): no token besides the link's. */
@ApiTags('auth')
@Controller('api/v1/password-links')
export class PasswordLinksController {
  constructor(private readonly links: PasswordLinksService) {}

  @Public()
  @Get(':token')
  @ApiOk(passwordLinkInfoSchema)
  @ApiErrors(404)
  describe(@Param('token') token: string) {
    return this.links.describe(token);
  }

  /** Sets the password; the link then stops working and the agent's sessions end. Log in afterwards. */
  @Public()
  @Post(':token')
  @HttpCode(200)
  @ApiJsonBody(usePasswordLinkSchema)
  @ApiOk(z.object({ email: z.string() }))
  @ApiErrors(400, 404, 422)
  use(@Param('token') token: string, @Body(validate(usePasswordLinkSchema)) body: z.infer<typeof usePasswordLinkSchema>) {
    return this.links.use(token, body.password);
  }
}
