/**
 * NATS subject syntax, shared by both buses so they agree on what matches what.
 *
 * A subject is dot-separated tokens (`chat.acme.message.received`). A pattern may use `*` for
 * exactly one token and `>` as its last token for one or more remaining tokens.
 */

/** The first token of a subject says how the bus treats it (see `event-bus.ts`). */
export type SubjectKind = 'chat' | 'cmd' | 'live';

/** The kinds stored by the bus and delivered at least once. */
export const DURABLE_KINDS = ['chat', 'cmd'] as const;
export type DurableKind = (typeof DURABLE_KINDS)[number];

const FORBIDDEN = /[\s*>]/;

function tokensOf(value: string): string[] | undefined {
  if (value.length === 0) return undefined;
  const tokens = value.split('.');
  return tokens.every((t) => t.length > 0) ? tokens : undefined;
}

/** A concrete subject: non-empty tokens, no wildcards, no whitespace. */
export function isValidSubject(subject: string): boolean {
  const tokens = tokensOf(subject);
  return tokens !== undefined && tokens.every((t) => !FORBIDDEN.test(t));
}

/** A subscription pattern: like a subject, but `*` may stand for a token and `>` may end it. */
export function isValidPattern(pattern: string): boolean {
  const tokens = tokensOf(pattern);
  if (!tokens) return false;
  return tokens.every((t, i) => {
    if (t === '*') return true;
    if (t === '>') return i === tokens.length - 1;
    return !FORBIDDEN.test(t);
  });
}

/** Compile a pattern once into a predicate; throws on an invalid pattern. */
export function compileSubjectPattern(pattern: string): (subject: string) => boolean {
  if (!isValidPattern(pattern)) throw new Error(`invalid subject pattern: ${JSON.stringify(pattern)}`);
  const want = pattern.split('.');
  return (subject) => {
    const got = subject.split('.');
    for (let i = 0; i < want.length; i++) {
      const w = want[i];
      if (w === '>') return got.length > i;
      if (i >= got.length) return false;
      if (w !== '*' && w !== got[i]) return false;
    }
    return got.length === want.length;
  };
}

/** Whether `subject` matches `pattern` (NATS rules). */
export function subjectMatches(pattern: string, subject: string): boolean {
  return compileSubjectPattern(pattern)(subject);
}

/** Whether every subject `specific` matches is also matched by `general`. */
export function patternCovers(general: string, specific: string): boolean {
  const g = general.split('.');
  const s = specific.split('.');
  for (let i = 0; ; i++) {
    if (i === g.length) return i === s.length;
    if (i === s.length) return false;
    if (g[i] === '>') return true;
    if (s[i] === '>') return false;
    if (g[i] !== '*' && g[i] !== s[i]) return false;
  }
}

/** The kind a subject or pattern belongs to, from its first token; wildcards have none. */
export function subjectKind(subjectOrPattern: string): SubjectKind | undefined {
  const first = subjectOrPattern.split('.', 1)[0];
  return first === 'chat' || first === 'cmd' || first === 'live' ? first : undefined;
}

/**
 * The part of `pattern` that falls inside `<kind>.>`, as a pattern, or undefined when they do
 * not overlap. `*.acme.>` narrowed to `chat` is `chat.acme.>`; `>` is `chat.>`.
 */
export function narrowPatternToKind(pattern: string, kind: SubjectKind): string | undefined {
  const [first, ...rest] = pattern.split('.');
  if (first === '>') return `${kind}.>`;
  if (first === '*' || first === kind) return [kind, ...rest].join('.');
  return undefined;
}

/**
 * Drop the patterns another pattern in the list already covers (and exact repeats), so a
 * consumer does not receive a message twice and NATS does not reject overlapping filters.
 */
export function withoutCoveredPatterns(patterns: readonly string[]): string[] {
  const unique = [...new Set(patterns)];
  return unique.filter((p, i) => !unique.some((q, j) => j !== i && patternCovers(q, p) && (!patternCovers(p, q) || j < i)));
}
