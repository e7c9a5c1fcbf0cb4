import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { MediaController } from './media.controller.js';
import { MediaService } from './media.service.js';

/** Media files: uploads, the authenticated download route, and the consumer that fetches inbound media. */
@Module({ imports: [ChannelsModule, TenantsModule], controllers: [MediaController], providers: [MediaService], exports: [MediaService] })
export class MediaModule {}
