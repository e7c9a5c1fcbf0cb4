import { Module } from '@nestjs/common';
import { OptOutListener } from './opt-out.listener.js';

/** The opt-out register: stop and start keywords from customers. */
@Module({ providers: [OptOutListener] })
export class OptOutsModule {}
