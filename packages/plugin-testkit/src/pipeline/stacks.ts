import { requireService } from '@obrol/core/testing';
import { natsReachable, postgresReachable, testServices } from '../test-env.js';

/** The two shapes every pipeline suite runs on. */
export interface Stack {
  name: string;
  database: 'sqlite' | 'postgres';
  bus: 'memory' | 'nats';
  /** Whether the services it needs are reachable (fails in CI when they are not). */
  available: () => Promise<boolean>;
}

export const STACKS: Stack[] = [
  { name: 'SQLite + in-process bus', database: 'sqlite', bus: 'memory', available: async () => true },
  {
    name: 'PostgreSQL + NATS',
    database: 'postgres',
    bus: 'nats',
    available: async () =>
      (await requireService('postgres', () => postgresReachable(), { at: testServices.postgresUrl.replace(/\/\/[^@]*@/, '//') })) &&
      (await requireService('nats', () => natsReachable(), { at: testServices.natsUrl })),
  },
];

/** Resolves each stack's availability once, at collection time. */
export async function availableStacks(): Promise<(Stack & { run: boolean })[]> {
  const out: (Stack & { run: boolean })[] = [];
  for (const stack of STACKS) out.push({ ...stack, run: await stack.available() });
  return out;
}
