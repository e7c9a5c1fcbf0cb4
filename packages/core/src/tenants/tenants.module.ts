import { Module } from '@nestjs/common';
import { TenantsService } from './tenants.service.js';

/** Workspaces and their subject tokens. */
@Module({ providers: [TenantsService], exports: [TenantsService] })
export class TenantsModule {}
