import { Module } from '@nestjs/common';
import { OutboxCommitSubscriber } from './outbox-commit.subscriber.js';
import { OutboxRelay } from './outbox.relay.js';

/**
 * The transactional outbox: writers record events with `recordEvent` in their own
 * transaction; the relay publishes them after the commit, which wakes it.
 */
@Module({ providers: [OutboxRelay, OutboxCommitSubscriber], exports: [OutboxRelay] })
export class OutboxModule {}
