import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { type EntityManager, type EventSubscriber, type FlushEventArgs, MikroORM, type Transaction, type TransactionEventArgs } from '@mikro-orm/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { factNameOf } from '@obrol/contracts';
import { OutboxEvent } from './outbox-event.entity.js';
import type { OutboxRow } from './outbox.js';
import { OutboxRelay } from './outbox.relay.js';

/**
 * Acts on a commit that recorded outbox events: hands them to the relay (so nobody calls it by
 * hand after a write, and it need not read them back) and emits each fact in-process through
 * `@nestjs/event-emitter`, under its name (`message.received`…), for `@OnEvent` hooks. Events recorded in a transaction wait
 * for its commit, and are forgotten on rollback.
 */
@Injectable()
export class OutboxCommitSubscriber implements EventSubscriber, OnModuleInit {
  private readonly logger = new Logger('DomainEvents');
  private readonly pending = new WeakMap<Transaction, OutboxRow[]>();

  constructor(
    private readonly orm: MikroORM,
    private readonly relay: OutboxRelay,
    private readonly emitter: EventEmitter2,
  ) {}

  onModuleInit(): void {
    this.orm.em.getEventManager().registerSubscriber(this);
  }

  afterFlush({ em, uow }: FlushEventArgs): void {
    const recorded = uow
      .getChangeSets()
      .filter((cs) => cs.type === 'create' && cs.entity instanceof OutboxEvent)
      .map((cs) => cs.entity as OutboxEvent);
    if (recorded.length === 0) return;
    this.written(em, recorded);
  }

  /** Rows written without the unit of work (`OutboxWriter`): acted on like flushed ones. */
  written(em: EntityManager, recorded: OutboxRow[]): void {
    const transaction = em.isInTransaction() ? em.getTransactionContext<Transaction>() : undefined;
    // Written outside a transaction: the write committed on its own.
    if (!transaction) return this.committed(recorded);
    const pending = this.pending.get(transaction);
    if (pending) pending.push(...recorded);
    else this.pending.set(transaction, [...recorded]);
  }

  afterTransactionCommit({ transaction }: TransactionEventArgs): void {
    const recorded = transaction && this.pending.get(transaction);
    if (!recorded) return;
    this.pending.delete(transaction);
    this.committed(recorded);
  }

  afterTransactionRollback({ transaction }: TransactionEventArgs): void {
    if (transaction) this.pending.delete(transaction);
  }

  private committed(recorded: OutboxRow[]): void {
    this.relay.committed(recorded);
    const hooks = recorded.flatMap((row) => {
      const name = row.subject ? factNameOf(row.subject) : null;
      return name ? [{ name, payload: row.payload }] : [];
    });
    if (hooks.length === 0) return;
    // Outside the writer's stack: a slow or failing hook never holds up or fails the write.
    setImmediate(() => {
      for (const { name, payload } of hooks) {
        this.emitter.emitAsync(name, payload).catch((error: Error) => this.logger.warn(`an @OnEvent('${name}') hook failed: ${error.message}`));
      }
    });
  }
}
