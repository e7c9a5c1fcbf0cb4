import { Module, forwardRef } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AgentsModule } from '../agents/agents.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { ApiKeysController } from './api-keys.controller.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordLinksController } from './password-links.controller.js';
import { PasswordLinksService } from './password-links.service.js';

/** Logins, sessions, API keys, the first admin, and the guard every route passes. */
@Module({
  // The login answer and /me show the agent as the agents feature does; agents hash passwords here.
  imports: [TenantsModule, AuditModule, forwardRef(() => AgentsModule)],
  controllers: [AuthController, ApiKeysController, PasswordLinksController],
  providers: [AuthService, PasswordLinksService, LoginThrottle, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, PasswordLinksService],
})
export class AuthModule {}
