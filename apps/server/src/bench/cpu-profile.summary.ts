/** The parts of V8's `.cpuprofile` (written by `node --cpu-prof`) that the summary reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  /** Microseconds since the previous sample, one per sample. */
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  ms: number;
  /** Of the busy time (idle excluded). */
  percent: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  /** Self time by where the code lives: a package, Node's internals, GC, native code. */
  byPlace: ProfileShare[];
  /** Functions by self time. */
  selfTop: ProfileShare[];
  /** Functions by total time (self and callees), each counted once per sample. */
  totalTop: ProfileShare[];
  /** Obrol's own functions (`@obrol/*`) by total time: which step of the pipeline costs what. */
  obrolTop: ProfileShare[];
}

/** `@mikro-orm/core`, `@obrol/core`, `node:internal`, … from a script URL. */
export function placeOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node (internals)';
  const pnpm = url.match(/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (pnpm) return pnpm[1]!;
  const plain = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (plain) return plain[1]!;
  const workspace = url.match(/\/(packages|plugins|apps)\/([^/]+)\//);
  if (workspace) return `@obrol/${workspace[2]}`;
  return url;
}

function frameName(frame: { functionName: string; url: string; lineNumber: number }): string {
  const file = frame.url.replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/^.*\/(packages|plugins|apps)\//, '$1/');
  return `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
}

const NOT_BUSY = new Set(['(idle)']);

/** Where a profile's CPU time went, in milliseconds and in shares of the busy time. */
export function summariseCpuProfile(profile: CpuProfile, top = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const obrol = new Map<string, number>();
  const places = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    if (NOT_BUSY.has(node.callFrame.functionName)) {
      idle += us;
      return;
    }
    busy += us;
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + us);
    const place = placeOf(node.callFrame.url, node.callFrame.functionName);
    places.set(place, (places.get(place) ?? 0) + us);
    const onStack = new Set<string>();
    const ours = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (frame.functionName === '(root)') continue;
      onStack.add(frameName(frame));
      if (placeOf(frame.url, frame.functionName).startsWith('@obrol/')) ours.add(frameName(frame));
    }
    for (const key of onStack) total.set(key, (total.get(key) ?? 0) + us);
    for (const key of ours) obrol.set(key, (obrol.get(key) ?? 0) + us);
  });
  const shares = (map: Map<string, number>, limit: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: busy === 0 ? 0 : Math.round((us / busy) * 1000) / 10 }));
  return { busyMs: Math.round(busy / 1000), idleMs: Math.round(idle / 1000), byPlace: shares(places, 15), selfTop: shares(self, top), totalTop: shares(total, top), obrolTop: shares(obrol, top) };
}

export function formatProfileSummary(summary: ProfileSummary): string {
  const rows = (title: string, shares: ProfileShare[]) => [title, ...shares.map((s) => `  ${String(s.percent.toFixed(1)).padStart(5)} %  ${String(s.ms).padStart(7)} ms  ${s.name}`)].join('\n');
  return [
    `busy ${summary.busyMs} ms, idle ${summary.idleMs} ms`,
    rows('self time by place:', summary.byPlace),
    rows('functions by self time:', summary.selfTop),
    rows('functions by total time (with callees):', summary.totalTop),
    rows("Obrol's functions by total time:", summary.obrolTop),
  ].join('\n');
}
