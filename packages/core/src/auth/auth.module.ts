import { Module, forwardRef } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AgentsModule } from '../agents/agents.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { ApiKeysController } from './api-keys.controller.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';

/** Logins, sessions, API keys, the first admin, and the guard every route passes. */
@Module({
  // The login answer and /me show the agent as the agents feature does; agents hash passwords here.
  imports: [TenantsModule, forwardRef(() => AgentsModule)],
  controllers: [AuthController, ApiKeysController],
  providers: [AuthService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService],
})
export class AuthModule {}
