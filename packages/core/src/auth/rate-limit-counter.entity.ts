import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A counter of `rate-limiter-flexible`'s PostgreSQL store, shared by every api process (login
 * attempts per address and failures per account). Its columns are the ones that store expects.
 */
@Entity({ tableName: 'rate_limit_counters' })
export class RateLimitCounter {
  @PrimaryKey({ type: 'string', length: 255 })
  key!: string;

  @Property({ type: 'integer', default: 0 })
  points!: number;

  /** Epoch milliseconds when the counter resets. */
  @Property({ type: 'bigint', nullable: true })
  expire!: number | null;
}
