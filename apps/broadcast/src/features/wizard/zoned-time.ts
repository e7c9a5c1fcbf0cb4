/** `2026-12-01T09:00` → its instant in an IANA zone, and whether the clocks skip or repeat it there. */
export interface ZonedInstant {
  instant: Date;
  kind: 'ok' | 'gap' | 'overlap';
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Minutes the zone is ahead of UTC at an instant. */
export function offsetMinutes(zone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(at));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((asUtc - Math.floor(at / 1000) * 1000) / 60_000);
}

/** The wall-clock time of an instant in a zone, as `YYYY-MM-DDTHH:mm`. */
export function localIn(zone: string, at: Date): string {
  const wall = new Date(at.getTime() + offsetMinutes(zone, at.getTime()) * 60_000);
  return wall.toISOString().slice(0, 16);
}

export function zonedInstant(local: string, zone: string): ZonedInstant | null {
  const m = LOCAL.exec(local);
  if (!m) return null;
  const asUtc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0));
  // The offset either side of the moment: two candidates, equal except around a clock change.
  const offsets = [...new Set([offsetMinutes(zone, asUtc - 86_400_000 / 2), offsetMinutes(zone, asUtc + 86_400_000 / 2)])];
  const valid = offsets.map((o) => asUtc - o * 60_000).filter((t) => localIn(zone, new Date(t)) === local.slice(0, 16)).sort((a, b) => a - b);
  if (valid.length === 0) return { instant: new Date(asUtc - offsets[0]! * 60_000), kind: 'gap' };
  return { instant: new Date(valid[0]!), kind: valid.length > 1 ? 'overlap' : 'ok' };
}

/** Every IANA zone the browser knows, the browser's own first. */
export function timeZones(): string[] {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [own, 'UTC'];
  return [own, ...all.filter((z) => z !== own)];
}
