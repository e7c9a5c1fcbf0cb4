import { createRequire } from 'node:module';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { ObrolError } from '@obrol/contracts';

/** The length NIST SP 800-63B and this API have always asked for. */
export const MIN_PASSWORD_LENGTH = 10;
/** zxcvbn's "safely unguessable" (about 10^10 guesses): common, repeated and keyboard passwords score lower. */
const MIN_SCORE = 3;

/** How long the estimator stays built after a check, for the next one. */
const KEEP_ESTIMATOR_MS = 60_000;

const require = createRequire(import.meta.url);
let estimator: ZxcvbnFactory | undefined;
let release: NodeJS.Timeout | undefined;

/**
 * zxcvbn with its common and English dictionaries, loaded at the first check rather than at
 * start: passwords are checked rarely (an agent added, a password changed, the first admin's
 * at boot), and its ranked dictionaries take about 14 MB of heap that every process, workers
 * included, would otherwise carry. The built estimator is dropped a minute after the last
 * check, or at once after a check made `once` (the modules' word lists and the words V8
 * interned stay, about 8 MB; building it again takes ~70 ms).
 */
function strength(): ZxcvbnFactory {
  if (!estimator) {
    const { ZxcvbnFactory: Factory } = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
    const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    const english = require('@zxcvbn-ts/language-en') as typeof import('@zxcvbn-ts/language-en');
    estimator = new Factory({ dictionary: { ...common.dictionary, ...english.dictionary }, graphs: common.adjacencyGraphs, translations: english.translations });
  }
  return estimator;
}

/** Whether the estimator is built now, holding its dictionaries. */
export function passwordEstimatorKept(): boolean {
  return estimator !== undefined;
}

/** Keeps the estimator built for `ms` more (another check soon is quick), or drops it now. */
function keepEstimatorFor(ms: number): void {
  clearTimeout(release);
  if (ms > 0) release = setTimeout(() => (estimator = undefined), ms).unref();
  else estimator = undefined;
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
