import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { configFieldSchema } from '@obrol/contracts';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors, ApiJsonBody, ApiList, ApiOk } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { ChannelRegistry } from '../plugin/channel-registry.js';
import { TemplatesService } from '../templates/templates.service.js';
import { configFormOf } from './channel-config-form.js';
import {
  ChannelsService,
  accountCheckViewSchema,
  channelAccountViewSchema,
  channelCapabilitiesSchema,
  checkChannelSchema,
  createChannelSchema,
  updateChannelSchema,
} from './channels.service.js';

@ApiTags('channels')
@ApiBearerAuth()
@Controller('api/v1')
export class ChannelsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly templates: TemplatesService,
    private readonly registry: ChannelRegistry,
  ) {}

  /** Installed channel plugins, with what they can do and their configuration form (generated from the plugin's schema). */
  @Get('channel-plugins')
  @ApiList(
    z.object({
      id: z.string(),
      displayName: z.string(),
      capabilities: channelCapabilitiesSchema,
      secretFields: z.array(z.string()),
      configForm: z.array(configFieldSchema).describe("the configuration's fields, for a generated form"),
      hasVerifyToken: z.boolean().describe('the provider asks for a verify token when the webhook URL is registered'),
    }),
  )
  plugins() {
    return {
      items: this.registry.all().map((p) => ({
        id: p.id,
        displayName: p.displayName,
        capabilities: p.capabilities,
        secretFields: p.secretFields,
        configForm: configFormOf(p),
        hasVerifyToken: !!p.verifyWebhook,
      })),
    };
  }

  /** "Test connection": checks a configuration with the provider without saving it; errors say what is wrong. */
  @Post('channel-plugins/:pluginId/check')
  @HttpCode(200)
  @ApiJsonBody(checkChannelSchema)
  @ApiOk(accountCheckViewSchema)
  @ApiErrors(400, 401, 403, 404, 422, 503)
  check(@CurrentPrincipal() principal: Principal, @Param('pluginId') pluginId: string, @Body(validate(checkChannelSchema)) body: z.infer<typeof checkChannelSchema>) {
    return this.channels.checkDraft(principal, pluginId, body.config);
  }

  @Get('channels')
  @ApiList(channelAccountViewSchema)
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: (await this.channels.list(principal)).map((a) => this.channels.view(a)) };
  }

  /** Connect a channel account; the plugin checks the credentials first. Secrets are write-only. */
  @Post('channels')
  @ApiJsonBody(createChannelSchema)
  @ApiOk(channelAccountViewSchema.extend({ templateSync: z.unknown().describe('result of the first template sync, or null') }), 201)
  @ApiErrors(400, 401, 403, 404, 422)
  async create(@CurrentPrincipal() principal: Principal, @Body(validate(createChannelSchema)) body: z.infer<typeof createChannelSchema>) {
    const account = await this.channels.create(principal, body);
    const plugin = this.registry.get(account.pluginId);
    // Templates are needed right away to start conversations; a failed first sync is retried periodically.
    const templateSync = plugin.templates ? await this.templates.sync(account.id).catch((e: Error) => ({ error: e.message })) : null;
    return { ...this.channels.view(account), templateSync };
  }

  @Get('channels/:id')
  @ApiOk(channelAccountViewSchema)
  @ApiErrors(401, 404)
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.channels.view(await this.channels.get(principal, id));
  }

  @Patch('channels/:id')
  @ApiJsonBody(updateChannelSchema)
  @ApiOk(channelAccountViewSchema)
  @ApiErrors(400, 401, 403, 404, 422)
  async update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body(validate(updateChannelSchema)) body: z.infer<typeof updateChannelSchema>) {
    return this.channels.view(await this.channels.update(principal, id, body));
  }

  /** Checks a connected account's credentials again and refreshes its health. */
  @Post('channels/:id/check')
  @HttpCode(200)
  @ApiOk(channelAccountViewSchema)
  @ApiErrors(401, 403, 404, 422, 503)
  async recheck(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.channels.view(await this.channels.recheck(principal, id));
  }
}
