import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { ChannelsModule } from '../channels/channels.module.js';
import { ContactsModule } from '../contacts/contacts.module.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { OptOutsModule } from '../opt-outs/opt-outs.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { InboundOrchestrator } from './inbound.orchestrator.js';
import { InboundQueue } from './inbound.queue.js';
import { WebhookReceiver } from './webhook.receiver.js';
import { WebhookRetryStore } from './webhook-retry.store.js';
import { WebhooksController } from './webhooks.controller.js';

/** Provider webhooks: verification, group-committed ingest, the orchestrator, the retry store. */
@Module({
  imports: [ChannelsModule, ContactsModule, ConversationsModule, MessagesModule, TemplatesModule, AuditModule, TenantsModule, OptOutsModule],
  controllers: [WebhooksController],
  providers: [InboundOrchestrator, InboundQueue, WebhookRetryStore, WebhookReceiver],
})
export class WebhooksModule {}
