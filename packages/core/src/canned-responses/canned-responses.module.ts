import { Module } from '@nestjs/common';
import { CannedResponsesController } from './canned-responses.controller.js';
import { CannedResponsesService } from './canned-responses.service.js';

/** Canned responses: a shared library of replies, managed by admins, inserted by agents with `/`. */
@Module({ controllers: [CannedResponsesController], providers: [CannedResponsesService] })
export class CannedResponsesModule {}
