import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';

/** `/healthz` and `/readyz`: served by every process, workers included. */
@Module({ controllers: [HealthController] })
export class HealthModule {}
