import { Module } from '@nestjs/common';
import { TagsController } from './tags.controller.js';
import { TagsService } from './tags.service.js';

/** The tags in use, for suggestions; tags themselves live on conversations and contacts. */
@Module({ controllers: [TagsController], providers: [TagsService] })
export class TagsModule {}
