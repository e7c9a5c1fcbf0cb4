import { createRequire } from 'node:module';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { ObrolError } from '@obrol/contracts';

/** The length NIST SP 800-63B and this API have always asked for. */
export const MIN_PASSWORD_LENGTH = 10;
/** zxcvbn's "safely unguessable" (about 10^10 guesses): common, repeated and keyboard passwords score lower. */
const MIN_SCORE = 3;

/** How long the estimator stays built after a check, for the next one. */
const KEEP_ESTIMATOR_MS = 60_000;

let estimator: ZxcvbnFactory | undefined;
let release: NodeJS.Timeout | undefined;
/** The modules first loaded to build the estimator (`require.cache` keys), unloaded with it. */
let loadedWithEstimator: string[] = [];

/**
 * zxcvbn with its common and English dictionaries, loaded at the first check rather than at
 * start: passwords are checked rarely (an agent added, a password changed, the first admin's
 * at boot), and its ranked dictionaries take about 14 MB of heap that every process, workers
 * included, would otherwise carry. The built estimator is dropped a minute after the last
 * check, or at once after a check made `once`, and the modules it loaded are unloaded with it:
 * their word lists are those modules' exports, which `require.cache` would otherwise keep for
 * the life of the process (about 9 MB of heap). Building it again takes ~70 ms.
 */
function strength(): ZxcvbnFactory {
  if (!estimator) {
    // A `require` of its own each time: the module it stands for lists what it loaded as its
    // children, and would keep them alive after they leave the cache.
    const require = createRequire(import.meta.url);
    const before = new Set(Object.keys(require.cache));
    const { ZxcvbnFactory: Factory } = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
    const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    const english = require('@zxcvbn-ts/language-en') as typeof import('@zxcvbn-ts/language-en');
    estimator = new Factory({ dictionary: { ...common.dictionary, ...english.dictionary }, graphs: common.adjacencyGraphs, translations: english.translations });
    // Every one of them: a module left in the cache (zxcvbn's levenshtein) keeps its parent
    // alive, and through the parents' children the word lists.
    loadedWithEstimator = Object.keys(require.cache).filter((file) => !before.has(file));
  }
  return estimator;
}

/** Whether the estimator is built now, holding its dictionaries. */
export function passwordEstimatorKept(): boolean {
  return estimator !== undefined;
}

/** Drops the estimator and unloads the modules loaded for it, so their word lists can be collected. */
function dropEstimator(): void {
  estimator = undefined;
  const { cache } = createRequire(import.meta.url);
  for (const file of loadedWithEstimator) delete cache[file];
  loadedWithEstimator = [];
}

/** Keeps the estimator built for `ms` more (another check soon is quick), or drops it now. */
function keepEstimatorFor(ms: number): void {
  clearTimeout(release);
  if (ms > 0) release = setTimeout(dropEstimator, ms).unref();
  else dropEstimator();
}

/**
 * Refuses a password that is short, or that a strength estimator finds guessable (common
 * passwords, repetitions, keyboard walks, the agent's own email or name), with 422 PASSWORD_TOO_WEAK.
 */
export function assertStrongPassword(password: string, userInputs: string[] = []): void {
  const problem = passwordWeakness(password, userInputs);
  if (problem) throw new ObrolError('PASSWORD_TOO_WEAK', problem, { problems: [{ field: 'password', message: problem }] });
}

/**
 * Why a password is too weak, in a sentence, or null when it is strong enough. `once`: no
 * other check is expected soon (the first admin's password at boot), so the estimator is
 * dropped at once instead of kept a minute.
 */
export function passwordWeakness(password: string, userInputs: string[] = [], { once = false }: { once?: boolean } = {}): string | null {
  if (password.trim().length < MIN_PASSWORD_LENGTH) {
    return `The password must have at least ${MIN_PASSWORD_LENGTH} characters besides leading and trailing spaces.`;
  }
  const inputs = ['obrol', ...userInputs.flatMap((s) => [s, ...s.split(/[@.\s_-]+/)]).filter((s) => s.length >= 3)];
  const result = strength().check(password, inputs);
  keepEstimatorFor(once ? 0 : KEEP_ESTIMATOR_MS);
  if (result.score >= MIN_SCORE) return null;
  const why = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
  return `The password is too easy to guess.${why ? ` ${why}` : ''} Use a longer phrase of unrelated words.`;
}
