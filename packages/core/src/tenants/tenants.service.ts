import { Injectable } from '@nestjs/common';
import { MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import { DEFAULT_TENANT_SLUG, Tenant } from './tenant.entity.js';

/** Workspaces. One default workspace today; every row already carries its tenant. */
@Injectable()
export class TenantsService {
  private readonly slugs = new Map<string, string>();

  constructor(private readonly orm: MikroORM) {}

  async ensureDefault(): Promise<Tenant> {
    const em = this.orm.em.fork();
    let tenant = await em.findOne(Tenant, { slug: DEFAULT_TENANT_SLUG });
    if (!tenant) {
      try {
        tenant = em.create(Tenant, { slug: DEFAULT_TENANT_SLUG, name: 'Default workspace' });
        await em.flush();
      } catch (error) {
        // Another process starting at the same moment created it first.
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        tenant = await this.orm.em.fork().findOneOrFail(Tenant, { slug: DEFAULT_TENANT_SLUG });
      }
    }
    this.slugs.set(tenant.id, tenant.slug);
    return tenant;
  }

  /** The subject token of a tenant (cached; tenants never change slug). */
  async slugOf(tenantId: string): Promise<string> {
    const cached = this.slugs.get(tenantId);
    if (cached) return cached;
    const tenant = await this.orm.em.fork().findOneOrFail(Tenant, tenantId);
    this.slugs.set(tenant.id, tenant.slug);
    return tenant.slug;
  }
}
