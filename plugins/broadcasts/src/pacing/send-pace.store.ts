import { Inject, Injectable } from '@nestjs/common';
import { MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Clock } from '@obrol/contracts';
import { CLOCK, CORE_OPTIONS, type CoreOptions, HandWrittenSql, databaseKindOf } from '@obrol/core';
import { SendPace } from './send-pace.entity.js';
import { type BucketState, slowDown, takeTokens } from './token-bucket.js';

const CONFLICT_RETRIES = 8;

export type Take = { granted: true } | { granted: false; waitMs: number };

/** Tokens granted to one taker (0 to the number it asked for); when fewer, how long until the next one. */
export interface TakenTokens {
  granted: number;
  waitMs: number;
}

/** The senders of one process waiting for tokens of one number at one rate. */
interface Takers {
  waiting: { wanted: number; resolve(take: TakenTokens): void; reject(error: unknown): void }[];
  busy: boolean;
}

/** The token buckets of the sending numbers, in the database so every worker shares them. */
@Injectable()
export class SendPaceStore {
  private readonly takers = new Map<string, Takers>();

  private readonly sql: HandWrittenSql;

  constructor(
    private readonly orm: MikroORM,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) core: CoreOptions,
  ) {
    this.sql = new HandWrittenSql(databaseKindOf(core.database.url));
  }

  /**
   * Takes one token of the number's bucket; when there is none, how long until there is.
   * The senders of this process that ask while a round trip to the bucket is under way are
   * served together by the next one, which takes as many tokens as they are: one read and one
   * write for the lot instead of a pair each (and fewer conflicts between them).
   */
  async take(channelAccountId: string, ratePerSecond: number): Promise<Take> {
    const taken = await this.takeUpTo(channelAccountId, ratePerSecond, 1);
    return taken.granted === 1 ? { granted: true } : { granted: false, waitMs: taken.waitMs };
  }

  /**
   * Takes up to `wanted` tokens of the number's bucket for a batch of sends (the first
   * `granted` of them go now), served with the other takers of this process as `take` is.
   */
  takeUpTo(channelAccountId: string, ratePerSecond: number, wanted: number): Promise<TakenTokens> {
    const key = `${channelAccountId}:${ratePerSecond}`;
    const takers = this.takers.get(key) ?? { waiting: [], busy: false };
    this.takers.set(key, takers);
    const taken = new Promise<TakenTokens>((resolve, reject) => takers.waiting.push({ wanted, resolve, reject }));
    if (!takers.busy) void this.serve(key, takers, channelAccountId, ratePerSecond);
    return taken;
  }

  /** Serves the waiting senders, a batch per round trip, until none is left. */
  private async serve(key: string, takers: Takers, channelAccountId: string, ratePerSecond: number): Promise<void> {
    takers.busy = true;
    try {
      while (takers.waiting.length > 0) {
        const batch = takers.waiting.splice(0);
        try {
          const result = await this.takeMany(channelAccountId, ratePerSecond, batch.reduce((sum, taker) => sum + taker.wanted, 0));
          // Handed out in the order asked: the first takers are served in full.
          let left = result.granted;
          for (const taker of batch) {
            const granted = Math.min(taker.wanted, left);
            left -= granted;
            taker.resolve({ granted, waitMs: granted < taker.wanted ? result.waitMs : 0 });
          }
        } catch (error) {
          // The bucket could not be read or written: each sender fails as it would have alone.
          for (const taker of batch) taker.reject(error);
        }
      }
    } finally {
      takers.busy = false;
      this.takers.delete(key);
    }
  }

  /** Takes up to `wanted` tokens in one read and one conditional write (retried on conflicts). */
  private async takeMany(channelAccountId: string, ratePerSecond: number, wanted: number): Promise<{ granted: number; waitMs: number }> {
    for (let i = 0; i < CONFLICT_RETRIES; i++) {
      const row = await this.read(channelAccountId);
      const result = takeTokens(row, this.clock.now().getTime(), ratePerSecond, wanted);
      if (await this.write(channelAccountId, row.version, result.state)) return result;
    }
    // Many takers at once: the bucket is busy, which means it is being spent.
    return { granted: 0, waitMs: Math.ceil(1000 / ratePerSecond) };
  }

  /** The provider said "too fast": the number's pace halves and recovers over the next seconds. */
  async slowDown(channelAccountId: string): Promise<void> {
    for (let i = 0; i < CONFLICT_RETRIES; i++) {
      const row = await this.read(channelAccountId);
      if (await this.write(channelAccountId, row.version, slowDown(row))) return;
    }
  }

  /** The bucket's row, created when missing. Read and written by hand: every batch of sends takes from it. */
  private async read(channelAccountId: string): Promise<BucketState & { version: number }> {
    const em = this.orm.em.fork();
    const [row] = await this.sql.all<{ tokens: number | string; refilled_at_ms: number | string; factor: number | string; version: number | string }>(
      em,
      'select tokens, refilled_at_ms, factor, version from broadcast_send_paces where channel_account_id = ?',
      [channelAccountId],
    );
    if (row) return { tokens: Number(row.tokens), refilledAtMs: Number(row.refilled_at_ms), factor: Number(row.factor), version: Number(row.version) };
    try {
      em.create(SendPace, { channelAccountId, tokens: 0, refilledAtMs: this.clock.now().getTime(), factor: 1, version: 0 });
      await em.flush();
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
    }
    return (await this.orm.em.fork().findOneOrFail(SendPace, { channelAccountId }));
  }

  private async write(channelAccountId: string, version: number, state: BucketState): Promise<boolean> {
    const updated = await this.sql.all<{ version: number }>(
      this.orm.em.fork(),
      'update broadcast_send_paces set tokens = ?, refilled_at_ms = ?, factor = ?, version = ? where channel_account_id = ? and version = ? returning version',
      [state.tokens, state.refilledAtMs, state.factor, version + 1, channelAccountId, version],
    );
    return updated.length === 1;
  }
}
