import { describe, expect, it } from 'vitest';
import { BroadcastEngine } from './broadcast.engine.js';

type Followed = Parameters<BroadcastEngine['followMany']>[0];

/** An engine whose batches of moves wait until released, each recorded; a status `failed` fails its batch. */
class HeldMoves extends BroadcastEngine {
  readonly batches: string[][] = [];
  private readonly releases: Array<() => void> = [];

  constructor() {
    // Batching touches none of the engine's services.
    super(...(Array.from({ length: 12 }) as ConstructorParameters<typeof BroadcastEngine>));
  }

  override async followMany(statuses: Followed): Promise<Set<string>> {
    this.batches.push(statuses.map((s) => s.messageId));
    await new Promise<void>((resolve) => this.releases.push(resolve));
    if (statuses.some((s) => s.status === 'failed')) throw new Error('the database went away');
    return new Set(statuses.filter((s) => s.status !== 'sent').map((s) => s.messageId));
  }

  release(): void {
    this.releases.shift()!();
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('BroadcastEngine.follow', () => {
  it('moves the statuses of one turn together, and those that come while a batch is moved together in the next', async () => {
    const engine = new HeldMoves();
    const first = [engine.follow('m1', 'delivered', null), engine.follow('m2', 'sent', null)];
    await nextTurn();
    expect(engine.batches).toEqual([['m1', 'm2']]);

    const second = [engine.follow('m3', 'read', null)];
    await nextTurn();
    second.push(engine.follow('m4', 'delivered', null), engine.follow('m5', 'sent', null));
    await nextTurn();
    // One batch at a time: the next waits for the first.
    expect(engine.batches).toHaveLength(1);

    engine.release();
    expect(await Promise.all(first)).toEqual([true, false]);
    await nextTurn();
    expect(engine.batches).toEqual([['m1', 'm2'], ['m3', 'm4', 'm5']]);
    engine.release();
    expect(await Promise.all(second)).toEqual([true, true, false]);
  });

  it('moves at most 1,000 statuses in one batch, and the rest in the next', async () => {
    const engine = new HeldMoves();
    const all = Array.from({ length: 1_500 }, (_, i) => engine.follow(`m${i}`, 'read', null));
    await nextTurn();
    engine.release();
    await nextTurn();
    await nextTurn();
    engine.release();
    expect(await Promise.all(all)).toEqual(all.map(() => true));
    expect(engine.batches.map((b) => b.length)).toEqual([1_000, 500]);
  });

  it('rejects the statuses of a batch that failed, and still moves the next', async () => {
    const engine = new HeldMoves();
    const failing = engine.follow('m1', 'failed', null);
    await nextTurn();
    const next = engine.follow('m2', 'read', null);
    engine.release();
    await expect(failing).rejects.toThrow('the database went away');
    await nextTurn();
    engine.release();
    expect(await next).toBe(true);
    expect(engine.batches).toEqual([['m1'], ['m2']]);
  });
});
