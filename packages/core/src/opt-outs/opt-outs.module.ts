import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { ChannelsModule } from '../channels/channels.module.js';
import { ContactsModule } from '../contacts/contacts.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { OptOutListener } from './opt-out.listener.js';
import { OptOutsController } from './opt-outs.controller.js';
import { OptOutsService } from './opt-outs.service.js';

/** The opt-out register: customers' stop and start keywords, Meta's opt-outs, the API. */
@Module({ imports: [ChannelsModule, ContactsModule, MessagesModule, TenantsModule, AuditModule], controllers: [OptOutsController], providers: [OptOutListener, OptOutsService], exports: [OptOutsService] })
export class OptOutsModule {}
