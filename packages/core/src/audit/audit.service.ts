import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import { AuditLog } from './audit-log.entity.js';

/** What an audit entry says: who (`agent:<id>`, `api-key:<id>`, `system`) did what to which record. */
export interface AuditEntry {
  tenantId: string;
  actor: string;
  action: string;
  targetType: string;
  targetId?: string | null;
  details?: Record<string, unknown> | null;
}

/** The audit log: entries are written in the caller's unit of work, with the change they describe. */
@Injectable()
export class AuditService {
  record(em: EntityManager, entry: AuditEntry): void {
    em.create(AuditLog, { ...entry, action: entry.action.slice(0, 64), targetId: entry.targetId ?? null, details: entry.details ?? null });
  }
}
