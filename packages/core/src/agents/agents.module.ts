import { Module, forwardRef } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { AccountController } from './account.controller.js';
import { AgentsController } from './agents.controller.js';
import { AgentsService } from './agents.service.js';
import { TeamController } from './team.controller.js';
import { TeamService } from './team.service.js';

/** Admins and agents, and the inboxes they belong to. */
@Module({ imports: [forwardRef(() => AuthModule), AuditModule], controllers: [AgentsController, AccountController, TeamController], providers: [AgentsService, TeamService], exports: [AgentsService] })
export class AgentsModule {}
