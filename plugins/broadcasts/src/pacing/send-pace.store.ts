import { Inject, Injectable } from '@nestjs/common';
import { MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Clock } from '@obrol/contracts';
import { CLOCK, CORE_OPTIONS, type CoreOptions, HandWrittenSql, databaseKindOf } from '@obrol/core';
import { SendPace } from './send-pace.entity.js';
import { type BucketState, reserveTokens, slowDown } from './token-bucket.js';

const CONFLICT_RETRIES = 8;

export type Take = { granted: true } | { granted: false; waitMs: number };

/**
 * Tokens granted to one taker (0 to the number it asked for), each usable `dueInMs[k]` from now
 * (0 unless reserved ahead); when fewer than asked, how long until the next one.
 */
export interface TakenTokens {
  granted: number;
  dueInMs: number[];
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
   * Takes up to `wanted` tokens of the number's bucket for a batch of sends, served with the
   * other takers of this process as `take` is. With `horizonMs`, tokens due within that long
   * are reserved too (`reserveTokens`): the k-th send may go `dueInMs[k]` from now.
   */
  takeUpTo(channelAccountId: string, ratePerSecond: number, wanted: number, horizonMs = 0): Promise<TakenTokens> {
    const key = `${channelAccountId}:${ratePerSecond}:${horizonMs}`;
    const takers = this.takers.get(key) ?? { waiting: [], busy: false };
    this.takers.set(key, takers);
    const taken = new Promise<TakenTokens>((resolve, reject) => takers.waiting.push({ wanted, resolve, reject }));
    if (!takers.busy) void this.serve(key, takers, channelAccountId, ratePerSecond, horizonMs);
    return taken;
  }

  /** Serves the waiting senders, a batch per round trip, until none is left. */
  private async serve(key: string, takers: Takers, channelAccountId: string, ratePerSecond: number, horizonMs: number): Promise<void> {
    takers.busy = true;
    try {
      while (takers.waiting.length > 0) {
        const batch = takers.waiting.splice(0);
        try {
          const result = await this.takeMany(channelAccountId, ratePerSecond, batch.reduce((sum, taker) => sum + taker.wanted, 0), horizonMs);
          // Handed out in the order asked: the first takers are served in full, and first.
          let next = 0;
          for (const taker of batch) {
            const dueInMs = result.dueInMs.slice(next, next + taker.wanted);
            next += dueInMs.length;
            taker.resolve({ granted: dueInMs.length, dueInMs, waitMs: dueInMs.length < taker.wanted ? result.waitMs : 0 });
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

  /** Takes (or reserves) up to `wanted` tokens in one read and one conditional write (retried on conflicts). */
  private async takeMany(channelAccountId: string, ratePerSecond: number, wanted: number, horizonMs: number): Promise<{ dueInMs: number[]; waitMs: number }> {
    for (let i = 0; i < CONFLICT_RETRIES; i++) {
      const row = await this.read(channelAccountId);
      const result = reserveTokens(row, this.clock.now().getTime(), ratePerSecond, wanted, horizonMs);
      if (await this.write(channelAccountId, row.version, result.state)) return result;
    }
    // Many takers at once: the bucket is busy, which means it is being spent.
    return { dueInMs: [], waitMs: Math.ceil(1000 / ratePerSecond) };
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
