import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { ConversationsController } from './conversations.controller.js';
import { ConversationsService } from './conversations.service.js';
import { TypingIndicatorService } from './typing-indicator.service.js';
import { AutoAssignmentService } from './auto-assignment.service.js';
import { SnoozeJob } from './snooze.job.js';

/** Conversations: inbound messages and the window, assignment, status, the list with its filters. */
@Module({ imports: [ChannelsModule], controllers: [ConversationsController], providers: [ConversationsService, TypingIndicatorService, AutoAssignmentService, SnoozeJob], exports: [ConversationsService] })
export class ConversationsModule {}
