import { Module, forwardRef } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { AccountRecheckJob } from './account-recheck.job.js';
import { ChannelsController } from './channels.controller.js';
import { ChannelsService } from './channels.service.js';

/** Channel accounts (inboxes): their plugin, sealed configuration, and resolution for use. */
// Creating an account syncs its templates at once; templates resolve accounts here.
@Module({ imports: [AuditModule, forwardRef(() => TemplatesModule)], controllers: [ChannelsController], providers: [ChannelsService, AccountRecheckJob], exports: [ChannelsService, AccountRecheckJob] })
export class ChannelsModule {}
