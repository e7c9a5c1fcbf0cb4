import { Inject, Injectable } from '@nestjs/common';
import { MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Clock } from '@obrol/contracts';
import { CLOCK } from '@obrol/core';
import { SendPace } from './send-pace.entity.js';
import { type BucketState, slowDown, takeToken } from './token-bucket.js';

const CONFLICT_RETRIES = 8;

/** The token buckets of the sending numbers, in the database so every worker shares them. */
@Injectable()
export class SendPaceStore {
  constructor(
    private readonly orm: MikroORM,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Takes one token of the number's bucket; when there is none, how long until there is. */
  async take(channelAccountId: string, ratePerSecond: number): Promise<{ granted: true } | { granted: false; waitMs: number }> {
    for (let i = 0; i < CONFLICT_RETRIES; i++) {
      const row = await this.read(channelAccountId);
      const result = takeToken(row, this.clock.now().getTime(), ratePerSecond);
      if (await this.write(channelAccountId, row.version, result.state)) return result.granted ? { granted: true } : { granted: false, waitMs: result.waitMs };
    }
    // Many takers at once: the bucket is busy, which means it is being spent.
    return { granted: false, waitMs: Math.ceil(1000 / ratePerSecond) };
  }

  /** The provider said "too fast": the number's pace halves and recovers over the next seconds. */
  async slowDown(channelAccountId: string): Promise<void> {
    for (let i = 0; i < CONFLICT_RETRIES; i++) {
      const row = await this.read(channelAccountId);
      if (await this.write(channelAccountId, row.version, slowDown(row))) return;
    }
  }

  private async read(channelAccountId: string): Promise<BucketState & { version: number }> {
    const em = this.orm.em.fork();
    const row = await em.findOne(SendPace, { channelAccountId });
    if (row) return row;
    try {
      em.create(SendPace, { channelAccountId, tokens: 0, refilledAtMs: this.clock.now().getTime(), factor: 1, version: 0 });
      await em.flush();
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
    }
    return (await this.orm.em.fork().findOneOrFail(SendPace, { channelAccountId }));
  }

  private async write(channelAccountId: string, version: number, state: BucketState): Promise<boolean> {
    const updated = await this.orm.em.fork().nativeUpdate(SendPace, { channelAccountId, version }, { ...state, version: version + 1 });
    return updated === 1;
  }
}
