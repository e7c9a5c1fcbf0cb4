import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { NotesController } from './notes.controller.js';
import { NotesService } from './notes.service.js';

/** Private notes between agents in a conversation, with @mentions. */
@Module({ imports: [ConversationsModule], controllers: [NotesController], providers: [NotesService] })
export class NotesModule {}
