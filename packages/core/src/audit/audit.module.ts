import { Module } from '@nestjs/common';
import { AuditService } from './audit.service.js';

/** Who did what: every feature records its audit entries through `AuditService`. */
@Module({ providers: [AuditService], exports: [AuditService] })
export class AuditModule {}
