import { describe, expect, it } from 'vitest';
import { formatServicesCpu, servicesCpu, servicesCpuPer } from './services-cpu.js';

describe('servicesCpu', () => {
  it.runIf(process.platform === 'linux')("reads this process's CPU as the bench's, and the servers' as numbers", () => {
    const before = servicesCpu()!;
    const until = Date.now() + 60;
    while (Date.now() < until);
    const after = servicesCpu()!;
    expect(after.bench - before.bench).toBeGreaterThan(20);
    expect(after.postgres).toBeGreaterThanOrEqual(before.postgres);
    expect(after.nats).toBeGreaterThanOrEqual(before.nats);
  });

  it('divides what each used between two readings by the units of work, in µs', () => {
    const per = servicesCpuPer({ postgres: 100, nats: 10, bench: 50 }, { postgres: 1_100, nats: 40, bench: 650 }, 2_000);
    expect(per).toEqual({ postgres: 500, nats: 15, bench: 300 });
    expect(servicesCpuPer(undefined, { postgres: 1, nats: 1, bench: 1 }, 10)).toBeUndefined();
    expect(formatServicesCpu(per, 'postgres')).toBe('PostgreSQL 500 µs, NATS 15 µs, this bench (load and simulator) 300 µs');
    expect(formatServicesCpu(per, 'sqlite')).toBe('this bench (load and simulator) 300 µs');
  });
});
