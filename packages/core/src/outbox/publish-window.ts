/**
 * Runs `publish` for each item in order with at most `size` of them in flight: JetStream
 * answers pipelined publishes on one connection in order, so a window keeps the stream's order
 * without waiting a round trip per row. Stops issuing at the first failure, waits for the ones
 * in flight, then throws it.
 */
export async function publishInWindow<T>(items: readonly T[], size: number, publish: (item: T) => Promise<void>): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failed = false;
  let failure: unknown;
  for (const item of items) {
    if (failed) break;
    const settled: Promise<void> = publish(item).then(
      () => void inFlight.delete(settled),
      (error: unknown) => {
        inFlight.delete(settled);
        if (!failed) [failed, failure] = [true, error];
      },
    );
    inFlight.add(settled);
    if (inFlight.size >= size) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failed) throw failure;
}
