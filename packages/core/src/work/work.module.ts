import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DeclaredWorkRunner } from './declared-work.runner.js';

/** Discovers and runs the consumers and periodic jobs that providers declare. */
@Module({ imports: [DiscoveryModule], providers: [DeclaredWorkRunner], exports: [DeclaredWorkRunner] })
export class WorkModule {}
