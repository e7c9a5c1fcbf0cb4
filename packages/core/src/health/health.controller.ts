import { Controller, Get, Inject, Res } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiOk } from '../http/api-docs.js';
import { Public } from '../auth/auth.guard.js';
import { EVENT_BUS, type EventBus } from '../bus/event-bus.js';

const withTimeout = <T>(p: Promise<T>, ms: number, fallback: T) =>
  Promise.race([p, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);

/** Whether the database and the bus answer now. */
export async function readiness(orm: MikroORM, bus: EventBus): Promise<{ ready: boolean; checks: { database: boolean; bus: boolean } }> {
  const [database, busOk] = await Promise.all([
    withTimeout(orm.isConnected().then(async (c) => c && (await orm.em.fork().getConnection().execute('select 1'), true)).catch(() => false), 2000, false),
    withTimeout(bus.ping().catch(() => false), 2000, false),
  ]);
  return { ready: database && busOk, checks: { database, bus: busOk } };
}

const readinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({ database: z.boolean(), bus: z.boolean() }),
});

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly orm: MikroORM,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
  ) {}

  /** The process is up. */
  @Get('healthz')
  @ApiOk(z.object({ status: z.literal('ok') }))
  healthz() {
    return { status: 'ok' };
  }

  /** The database and the bus are reachable. 503 when not. */
  @Get('readyz')
  @ApiOk(readinessSchema)
  @ApiOk(readinessSchema, 503)
  async readyz(@Res({ passthrough: true }) reply: { status(code: number): unknown }) {
    const { ready, checks } = await readiness(this.orm, this.bus);
    reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }
}
