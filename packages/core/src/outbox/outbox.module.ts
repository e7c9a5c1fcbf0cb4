import { Module } from '@nestjs/common';
import { OutboxCommitSubscriber } from './outbox-commit.subscriber.js';
import { OutboxRelay } from './outbox.relay.js';
import { OutboxWriter } from './outbox.writer.js';

/**
 * The transactional outbox: writers record events with `recordEvent` in their own
 * transaction (or in bulk with `OutboxWriter`); the relay publishes them after the commit,
 * which wakes it.
 */
@Module({ providers: [OutboxRelay, OutboxCommitSubscriber, OutboxWriter], exports: [OutboxRelay, OutboxWriter] })
export class OutboxModule {}
