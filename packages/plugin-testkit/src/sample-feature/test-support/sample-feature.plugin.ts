import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type DeliveredMessage, type DomainEventMap, Every, type HandlerOutcome, ObrolPlugin, OnCommand, OnEvent } from '@obrol/core';
import { Migration20261129000000 as PostgresqlInitial } from './migrations/postgresql/migration-20261129000000.js';
import { Migration20261129000000 as SqliteInitial } from './migrations/sqlite/migration-20261129000000.js';
import { SampleVisit } from './visit.entity.js';

/** The sample feature's own command subject (a plugin's commands live under `cmd.<tenant>.<feature>`). */
export const sampleCommandSubject = (tenant: string) => `cmd.${tenant}.sample.visit`;

/** Every extension point a feature plugin has, used once: a hook, a consumer, a job, a table. */
@Injectable()
export class SampleFeatureService {
  constructor(private readonly orm: MikroORM) {}

  @OnEvent('message.received')
  async onMessageReceived(event: DomainEventMap['message.received']): Promise<void> {
    await this.visit('hook', `message.received ${event.message.externalId}`);
  }

  @OnCommand({ durableName: 'sample-visits', subjects: ['cmd.*.sample.visit'], concurrency: 2 })
  async onVisit({ data }: DeliveredMessage<{ eventId: string; note: string }>): Promise<HandlerOutcome> {
    await this.visit('command', data.note);
    return { action: 'ack' };
  }

  @Every({ name: 'sample tick', intervalMs: 100, roles: ['worker'] })
  async tick(): Promise<void> {
    const em = this.orm.em.fork();
    if ((await em.count(SampleVisit, { source: 'job' })) === 0) await this.visit('job', 'tick');
  }

  private async visit(source: SampleVisit['source'], subject: string): Promise<void> {
    const em = this.orm.em.fork();
    em.create(SampleVisit, { source, subject });
    await em.flush();
  }
}

/** A feature plugin made only of core's public extension points; no file in packages/core knows it. */
@ObrolPlugin({
  compatibility: '^0.1.0',
  entities: [SampleVisit],
  migrations: {
    sqlite: [{ name: 'migration-20261129000000', class: SqliteInitial }],
    postgresql: [{ name: 'migration-20261129000000', class: PostgresqlInitial }],
  },
  providers: [SampleFeatureService],
})
export class SampleFeaturePlugin {}
