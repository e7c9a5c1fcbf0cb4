import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** A string only Chart.js carries (its date adapter's error), to find the chunk the chart is in. */
const CHART_MARKER = 'complete date adapter';

export interface InitialJs {
  /** The chunks the browser must load before the app runs: the entry and its static imports. */
  chunks: { file: string; bytes: number; gzipBytes: number }[];
  gzipBytes: number;
  /** Chunks loaded later (dynamic imports), and whether the chart is among the initial ones. */
  lazy: { file: string; gzipBytes: number; hasChart: boolean }[];
  chartInitial: boolean;
}

const STATIC_IMPORT = /(?:^|[;}\s])import\s*(?:[\w$*{}\s,]+from\s*)?["'](\.\/[^"']+\.js)["']/g;
const DYNAMIC_IMPORT = /["'](\.\/[\w.-]+\.js)["']/g;

/**
 * The JavaScript a first visit loads, from the built app: the module script of `index.html`
 * and, transitively, its static imports; everything else a chunk names is loaded on demand.
 */
export function measureInitialJs(dist: string): InitialJs {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const entry = /<script[^>]+type="module"[^>]+src="\.?\/?([^"]+)"/.exec(html)?.[1];
  if (!entry) throw new Error(`${dist}/index.html has no module script`);
  const read = (file: string) => readFileSync(path.join(dist, file), 'utf8');
  const initial = new Set<string>();
  const named = new Set<string>();
  const visit = (file: string) => {
    if (initial.has(file)) return;
    initial.add(file);
    const code = read(file);
    const dir = path.posix.dirname(file);
    for (const m of code.matchAll(STATIC_IMPORT)) visit(path.posix.join(dir, m[1]!));
    for (const m of code.matchAll(DYNAMIC_IMPORT)) named.add(path.posix.join(dir, m[1]!));
  };
  visit(entry);
  const gzip = (file: string) => gzipSync(read(file)).length;
  const chunks = [...initial].map((file) => ({ file, bytes: Buffer.byteLength(read(file)), gzipBytes: gzip(file) }));
  const lazy = [...named].filter((f) => !initial.has(f)).map((file) => ({ file, gzipBytes: gzip(file), hasChart: read(file).includes(CHART_MARKER) }));
  return { chunks, gzipBytes: chunks.reduce((s, c) => s + c.gzipBytes, 0), lazy, chartInitial: chunks.some((c) => read(c.file).includes(CHART_MARKER)) };
}
