import { Entity, PrimaryKey, Property, type Opt } from '@mikro-orm/core';

/**
 * The token bucket of one sending number, shared by every worker: taken with a conditional
 * update on `version`, so two workers together never spend more than the bucket holds.
 */
@Entity({ tableName: 'broadcast_send_paces' })
export class SendPace {
  @PrimaryKey({ type: 'string', length: 36 })
  channelAccountId!: string;

  @Property({ type: 'double' })
  tokens: Opt<number> = 0;

  /** Epoch milliseconds of the last refill. */
  @Property({ type: 'double' })
  refilledAtMs: Opt<number> = 0;

  /** 1 at full pace; throttling errors halve it, and it recovers with time. */
  @Property({ type: 'double' })
  factor: Opt<number> = 1;

  @Property({ type: 'integer' })
  version: Opt<number> = 0;
}
