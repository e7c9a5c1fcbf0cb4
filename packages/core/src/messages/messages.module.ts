import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { ContactsModule } from '../contacts/contacts.module.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MediaModule } from '../media/media.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { MessagesController } from './messages.controller.js';
import { MessageIngestWriter } from './message-ingest.writer.js';
import { MessagesService } from './messages.service.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { InDoubtSendReconciler } from './in-doubt-send.reconciler.js';
import { SendAttempts } from './send-attempts.service.js';
import { SendBatchWriter } from './send-batch.writer.js';
import { SendConsumer } from './send.consumer.js';
import { SingleSendHandler } from './single-send.handler.js';
import { SendGates } from './send-gate.js';
import { StrandedSendsJob } from './stranded-sends.job.js';

/** Messages: outbound enqueueing, the send consumer and its stranded-send job, provider statuses. */
@Module({
  imports: [ChannelsModule, ContactsModule, ConversationsModule, TemplatesModule, MediaModule, TenantsModule, OutboxModule],
  controllers: [MessagesController],
  providers: [MessagesService, MessageIngestWriter, SendBatchWriter, SingleSendHandler, SendConsumer, SendAttempts, SendGates, InDoubtSendReconciler, StrandedSendsJob],
  exports: [MessagesService, MessageIngestWriter, SendAttempts, SendGates],
})
export class MessagesModule {}
