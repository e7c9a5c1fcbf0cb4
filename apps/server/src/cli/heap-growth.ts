import v8 from 'node:v8';

/**
 * The V8 flag that bounds how far the old generation may grow past what the last full garbage
 * collection left alive (a factor of 1 + percent/100) before the next one. Without it, V8 picks
 * the factor itself, up to 4 for a process that allocates fast: a broadcast's Obrol process with
 * about 100 MB of live heap reached 450–500 MB resident, most of it garbage not yet collected
 * (ADR 0045).
 */
export function heapGrowthFlag(percent: number): string {
  return `--heap-growing-percent=${percent}`;
}

/**
 * Applies `OBROL_HEAP_GROWTH_PERCENT` to this process (0 leaves V8's own choice). A heuristic,
 * not a limit: the heap still grows as far as its live data needs, and only full collections
 * come sooner. V8 reads the flag each time it sets the next collection's threshold, so setting
 * it at startup takes effect; `NODE_OPTIONS` does not accept it.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(heapGrowthFlag(percent));
}
