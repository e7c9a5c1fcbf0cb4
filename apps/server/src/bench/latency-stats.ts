/** p50/p95/p99 (and the count) of a set of latencies in milliseconds; nearest-rank percentiles. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summariseLatencies(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) return { count: 0, p50Ms: Number.NaN, p95Ms: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { count: sorted.length, p50Ms: round(rank(50)), p95Ms: round(rank(95)), p99Ms: round(rank(99)), maxMs: round(sorted.at(-1)!) };
}
