import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.guard.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors, ApiJsonBody, ApiList, ApiOk } from '../http/api-docs.js';
import { validate } from '../http/zod-validation.pipe.js';
import { ChannelRegistry } from '../plugin/channel-registry.js';
import { TemplatesService } from '../templates/templates.service.js';
import { ChannelsService, channelAccountViewSchema, channelCapabilitiesSchema, createChannelSchema, updateChannelSchema } from './channels.service.js';

@ApiTags('channels')
@ApiBearerAuth()
@Controller('api/v1')
export class ChannelsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly templates: TemplatesService,
    private readonly registry: ChannelRegistry,
  ) {}

  /** Installed channel plugins, with what they can do and the JSON Schema of their config. */
  @Get('channel-plugins')
  @ApiList(z.object({ id: z.string(), displayName: z.string(), capabilities: channelCapabilitiesSchema, secretFields: z.array(z.string()) }))
  plugins() {
    return {
      items: this.registry.all().map((p) => ({ id: p.id, displayName: p.displayName, capabilities: p.capabilities, secretFields: p.secretFields })),
    };
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
}
