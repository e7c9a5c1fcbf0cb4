import { Entity, Index, Property, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../database/base.entity.js';
import type { SealedValue } from '../channels/secret-box.js';

/** Where a back-end system wants to hear about events: a URL, the events it subscribed to, a signing secret. */
@Entity({ tableName: 'webhook_endpoints' })
@Index({ properties: ['tenantId', 'enabled'] })
export class WebhookEndpoint extends BaseEntity {
  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  @Property({ type: 'string', length: 2048 })
  url!: string;

  @Property({ type: 'string', length: 500, nullable: true })
  description: Opt<string> | null = null;

  /** Fact names, `aggregate.*` or `*`. */
  @Property({ type: 'json' })
  events!: string[];

  /** The signing secret, sealed (AES-256-GCM) like channel secrets. */
  @Property({ type: 'json' })
  secret!: SealedValue;

  @Property({ type: 'boolean' })
  enabled: Opt<boolean> = true;
}
