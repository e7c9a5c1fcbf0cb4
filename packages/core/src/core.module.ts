import { type DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AgentsModule } from './agents/agents.module.js';
import { CoreLifecycle } from './app/core.lifecycle.js';
import { CoreRuntimeModule } from './app/core-runtime.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ChannelsModule } from './channels/channels.module.js';
import { ContactsModule } from './contacts/contacts.module.js';
import { ConversationsModule } from './conversations/conversations.module.js';
import type { CoreOptions } from './core-options.js';
import { HealthModule } from './health/health.module.js';
import { HttpModule } from './http/http.module.js';
import { MediaModule } from './media/media.module.js';
import { MessagesModule } from './messages/messages.module.js';
import { OutboundWebhooksModule } from './outbound-webhooks/outbound-webhooks.module.js';
import { OptOutsModule } from './opt-outs/opt-outs.module.js';
import { NotesModule } from './notes/notes.module.js';
import { CannedResponsesModule } from './canned-responses/canned-responses.module.js';
import { OutboxModule } from './outbox/outbox.module.js';
import { resolvePlugin } from './plugin/obrol-plugin.decorator.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { SearchModule } from './search/search.module.js';
import { TemplatesModule } from './templates/templates.module.js';
import { TagsModule } from './tags/tags.module.js';
import { TenantsModule } from './tenants/tenants.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { WorkModule } from './work/work.module.js';

/**
 * The core: the runtime (options, clock, bus, ORM, channel registry), one module per feature,
 * and the plugins listed in the options. The server composes it; tests compose it with the
 * test channel plugin.
 */
@Module({})
export class CoreModule {
  static forRoot(options: CoreOptions): DynamicModule {
    const plugins = options.plugins.map(resolvePlugin);
    return {
      module: CoreModule,
      imports: [
        CoreRuntimeModule.forRoot(options, plugins),
        EventEmitterModule.forRoot(),
        WorkModule,
        HttpModule,
        HealthModule,
        OutboxModule,
        OptOutsModule,
        AuditModule,
        TenantsModule,
        AuthModule,
        AgentsModule,
        ChannelsModule,
        ContactsModule,
        ConversationsModule,
        TemplatesModule,
        TagsModule,
        MediaModule,
        MessagesModule,
        SearchModule,
        NotesModule,
        CannedResponsesModule,
        WebhooksModule,
        OutboundWebhooksModule,
        RealtimeModule,
        ...plugins.map((p) => p.module),
      ],
      providers: [CoreLifecycle],
    };
  }
}
