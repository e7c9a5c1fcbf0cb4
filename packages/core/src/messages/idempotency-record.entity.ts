import { Entity, PrimaryKey, Property, type Opt } from '@mikro-orm/core';

/** Remembers the answer to a `POST /messages` with an `Idempotency-Key`, per API client. */
@Entity({ tableName: 'idempotency_records' })
export class IdempotencyRecord {
  /** `<principal>:<key>`. */
  @PrimaryKey({ type: 'string', length: 320 })
  key!: string;

  /** SHA-256 of the request body: the same key with another body is a conflict. */
  @Property({ type: 'string', length: 64 })
  requestHash!: string;

  @Property({ type: 'string', length: 36 })
  messageId!: string;

  @Property({ type: 'datetime' })
  createdAt: Opt<Date> = new Date();
}
