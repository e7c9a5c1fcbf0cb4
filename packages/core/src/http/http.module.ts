import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ApiExceptionFilter } from './api-exception.filter.js';
import { SafeTextPipe } from './safe-text.js';

/**
 * The one exception filter (every error leaves as `{ statusCode, code, message, details? }`)
 * and the pipe that makes every route param, query and body storable text.
 */
@Module({
  providers: [
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
    { provide: APP_PIPE, useClass: SafeTextPipe },
  ],
})
export class HttpModule {}
