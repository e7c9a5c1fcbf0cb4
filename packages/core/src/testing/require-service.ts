/**
 * The project's rule for tests that need a real service (see ARCHITECTURE.md §8):
 * reachable → run; unreachable on CI (`CI=true`) → fail loudly; unreachable elsewhere → skip
 * with one line saying how to enable them.
 *
 * ```ts
 * const url = process.env.OBROL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
 * const run = await requireService('nats', () => natsIsReachable(url), { at: url });
 * describe.runIf(run)('NatsBus', () => { … });
 * ```
 */

export type RequiredService = 'postgres' | 'nats';

export interface RequireServiceOptions {
  /** Where the service was looked for, for the messages (a URL without its password). */
  at?: string;
  /** How to make it reachable, for the skip message. */
  hint?: string;
  /** Give up on the probe after this long (default 5 s). */
  timeoutMs?: number;
}

const LABEL: Record<RequiredService, string> = { postgres: 'PostgreSQL', nats: 'NATS' };
const HINT: Record<RequiredService, string> = {
  postgres: 'start PostgreSQL or set OBROL_TEST_DATABASE_URL',
  nats: 'start nats-server -js or set OBROL_TEST_NATS_URL',
};

/**
 * Whether the tests needing `service` should run. Throws when it is unreachable on CI, so the
 * test file fails instead of silently skipping. A probe that throws or hangs counts as unreachable.
 */
export async function requireService(
  service: RequiredService,
  probe: () => Promise<boolean>,
  options: RequireServiceOptions = {},
): Promise<boolean> {
  if (await probeWithTimeout(probe, options.timeoutMs ?? 5_000)) return true;
  const label = LABEL[service];
  const where = options.at ? ` at ${options.at}` : '';
  if (process.env.CI === 'true') {
    const message = `${label} is required in CI${where}, but it is not reachable`;
    // Also on stderr: a reporter that fails to print collection errors must not hide why.
    console.error(message);
    throw new Error(message);
  }
  console.warn(`skipped: ${label} not reachable${where}; ${options.hint ?? HINT[service]}`);
  return false;
}

async function probeWithTimeout(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([probe().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
