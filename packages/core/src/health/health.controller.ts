import { Controller, Get, Inject, Res } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { ApiTags } from '@nestjs/swagger';
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
  healthz() {
    return { status: 'ok' };
  }

  /** The database and the bus are reachable. 503 when not. */
  @Get('readyz')
  async readyz(@Res({ passthrough: true }) reply: { status(code: number): unknown }) {
    const { ready, checks } = await readiness(this.orm, this.bus);
    reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }
}
