import { describe, expect, it } from 'vitest';
import { summariseLatencies } from './latency-stats.js';

describe('summariseLatencies', () => {
  it('takes nearest-rank percentiles of unsorted samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(summariseLatencies(samples)).toEqual({ count: 100, p50Ms: 50, p95Ms: 95, p99Ms: 99, maxMs: 100 });
  });

  it('reports a single sample as every percentile', () => {
    expect(summariseLatencies([3.14159])).toEqual({ count: 1, p50Ms: 3.1, p95Ms: 3.1, p99Ms: 3.1, maxMs: 3.1 });
  });

  it('reports no samples as not-a-number rather than zero', () => {
    expect(summariseLatencies([]).p99Ms).toBeNaN();
  });
});
