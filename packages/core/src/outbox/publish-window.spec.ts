import { describe, expect, it } from 'vitest';
import { publishInWindow } from './publish-window.js';

/** A publish whose acknowledgement the test releases by hand. */
function manualPublisher() {
  const started: number[] = [];
  const pending = new Map<number, { resolve(): void; reject(error: Error): void }>();
  const publish = (item: number) =>
    new Promise<void>((resolve, reject) => {
      started.push(item);
      pending.set(item, { resolve, reject });
    });
  return { started, pending, publish };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('publishInWindow', () => {
  it('issues in order and keeps at most the window in flight', async () => {
    const p = manualPublisher();
    const done = publishInWindow([1, 2, 3, 4, 5], 2, p.publish);
    await turn();
    expect(p.started).toEqual([1, 2]);
    p.pending.get(1)!.resolve();
    await turn();
    expect(p.started).toEqual([1, 2, 3]);
    for (const item of [2, 3]) p.pending.get(item)!.resolve();
    await turn();
    expect(p.started).toEqual([1, 2, 3, 4, 5]);
    for (const item of [4, 5]) p.pending.get(item)!.resolve();
    await expect(done).resolves.toBeUndefined();
  });

  it('stops issuing after a failure, waits for the ones in flight, then throws it', async () => {
    const p = manualPublisher();
    let finished = false;
    const done = publishInWindow([1, 2, 3, 4], 2, p.publish).finally(() => (finished = true));
    await turn();
    p.pending.get(1)!.reject(new Error('no ack'));
    await turn();
    expect(p.started).toEqual([1, 2]);
    expect(finished).toBe(false);
    p.pending.get(2)!.resolve();
    await expect(done).rejects.toThrow('no ack');
    expect(p.started).toEqual([1, 2]);
  });
});
