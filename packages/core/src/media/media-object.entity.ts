import { Entity, Index, Property, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../database/base.entity.js';

/** A stored media file (inbound from a customer, or uploaded by an agent). */
@Entity({ tableName: 'media_objects' })
export class MediaObject extends BaseEntity {
  @Property({ type: 'string', length: 36 })
  @Index()
  tenantId!: string;

  @Property({ type: 'string', length: 36 })
  channelAccountId!: string;

  @Property({ type: 'string', length: 255 })
  mimeType!: string;

  @Property({ type: 'bigint' })
  sizeBytes!: number;

  @Property({ type: 'string', length: 64 })
  sha256!: string;

  @Property({ type: 'string', length: 255, nullable: true })
  filename: Opt<string> | null = null;

  /** Where the bytes are, relative to the media root. */
  @Property({ type: 'string', length: 255 })
  storageKey!: string;

  @Property({ type: 'string', length: 255, nullable: true })
  providerMediaId: Opt<string> | null = null;
}
