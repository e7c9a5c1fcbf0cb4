import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';
import { ObrolError } from '@obrol/contracts';

/** The length NIST SP 800-63B and this API have always asked for. */
export const MIN_PASSWORD_LENGTH = 10;
/** zxcvbn's "safely unguessable" (about 10^10 guesses): common, repeated and keyboard passwords score lower. */
const MIN_SCORE = 3;

const strength = new ZxcvbnFactory({ dictionary: { ...commonDictionary, ...englishDictionary }, graphs: adjacencyGraphs, translations });

/**
 * Refuses a password that is short, or that a strength estimator finds guessable (common
 * passwords, repetitions, keyboard walks, the agent's own email or name), with 422 PASSWORD_TOO_WEAK.
 */
export function assertStrongPassword(password: string, userInputs: string[] = []): void {
  const problem = passwordWeakness(password, userInputs);
  if (problem) throw new ObrolError('PASSWORD_TOO_WEAK', problem, { problems: [{ field: 'password', message: problem }] });
}

/** Why a password is too weak, in a sentence, or null when it is strong enough. */
export function passwordWeakness(password: string, userInputs: string[] = []): string | null {
  if (password.trim().length < MIN_PASSWORD_LENGTH) {
    return `The password must have at least ${MIN_PASSWORD_LENGTH} characters besides leading and trailing spaces.`;
  }
  const inputs = ['obrol', ...userInputs.flatMap((s) => [s, ...s.split(/[@.\s_-]+/)]).filter((s) => s.length >= 3)];
  const result = strength.check(password, inputs);
  if (result.score >= MIN_SCORE) return null;
  const why = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
  return `The password is too easy to guess.${why ? ` ${why}` : ''} Use a longer phrase of unrelated words.`;
}
