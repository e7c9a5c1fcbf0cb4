import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MessageSearchController } from './message-search.controller.js';
import { MessageSearchService } from './message-search.service.js';

/** Full-text search over every message (ADR 0022). */
@Module({ imports: [ConversationsModule], controllers: [MessageSearchController], providers: [MessageSearchService] })
export class SearchModule {}
