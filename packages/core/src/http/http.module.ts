import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApiExceptionFilter } from './api-exception.filter.js';

/** The one exception filter: every error leaves as `{ statusCode, code, message, details? }`. */
@Module({ providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }] })
export class HttpModule {}
