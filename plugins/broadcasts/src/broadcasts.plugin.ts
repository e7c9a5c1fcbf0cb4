import type { DynamicModule } from '@nestjs/common';
import { ChannelsModule, ContactsModule, ConversationsModule, MediaModule, MessagesModule, ObrolPlugin, OutboxModule, TenantsModule, TemplatesModule } from '@obrol/core';
import { BROADCAST_OPTIONS, type BroadcastOptions, DEFAULT_BROADCAST_OPTIONS } from './broadcast-options.js';
import { BroadcastRecipient } from './broadcasts/broadcast-recipient.entity.js';
import { BroadcastStatusListener } from './broadcasts/broadcast-status.listener.js';
import { Broadcast } from './broadcasts/broadcast.entity.js';
import { RecipientMovesWriter } from './broadcasts/recipient-moves.writer.js';
import { BroadcastEngine } from './broadcasts/broadcast.engine.js';
import { AudienceRecipientsWriter } from './audience/audience-recipients.writer.js';
import { AudienceFilterWriter } from './audience/audience-filter.writer.js';
import { StagedAudienceRow } from './audience/staged-audience-row.entity.js';
import { BroadcastHandOutWriter } from './broadcasts/broadcast-hand-out.writer.js';
import { BroadcastsController } from './broadcasts/broadcasts.controller.js';
import { BroadcastsService } from './broadcasts/broadcasts.service.js';
import { postgresqlMigrations } from './migrations/postgresql/index.js';
import { sqliteMigrations } from './migrations/sqlite/index.js';
import { BroadcastSendGate } from './pacing/broadcast-send.gate.js';
import { SendPace } from './pacing/send-pace.entity.js';
import { SendPaceStore } from './pacing/send-pace.store.js';

let options: BroadcastOptions = DEFAULT_BROADCAST_OPTIONS;

/**
 * Broadcasts: an approved template sent to many customers, durably and at the number's pace,
 * through the core's send pipeline. Built only on core's extension points: entities with their
 * own migrations, declared work, after-commit hooks and a send gate.
 */
@ObrolPlugin({
  compatibility: '^0.1.0',
  entities: [Broadcast, BroadcastRecipient, SendPace, StagedAudienceRow],
  migrations: { sqlite: sqliteMigrations, postgresql: postgresqlMigrations },
  imports: [ChannelsModule, ContactsModule, ConversationsModule, MediaModule, MessagesModule, OutboxModule, TemplatesModule, TenantsModule],
  controllers: [BroadcastsController],
  providers: [
    { provide: BROADCAST_OPTIONS, useFactory: () => options },
    BroadcastsService,
    BroadcastEngine,
    BroadcastHandOutWriter,
    AudienceRecipientsWriter,
    AudienceFilterWriter,
    BroadcastStatusListener,
    RecipientMovesWriter,
    SendPaceStore,
    BroadcastSendGate,
  ],
})
export class BroadcastsPlugin {
  static init(settings: Partial<BroadcastOptions> = {}): DynamicModule {
    options = { ...DEFAULT_BROADCAST_OPTIONS, ...settings };
    return { module: BroadcastsPlugin };
  }
}
