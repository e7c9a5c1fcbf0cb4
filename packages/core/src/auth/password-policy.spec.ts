import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { assertStrongPassword, passwordEstimatorKept, passwordWeakness } from './password-policy.js';

const refusal = (password: string, inputs: string[] = []) => {
  try {
    assertStrongPassword(password, inputs);
    return null;
  } catch (error) {
    return error as { code: string; message: string };
  }
};

describe('assertStrongPassword', () => {
  it.each(['aaaaaaaaaa', '          ', 'password123', 'qwertyuiop', '1234567890', 'iloveyou12', '  short   '])('refuses %j with PASSWORD_TOO_WEAK', (password) => {
    expect(refusal(password)?.code).toBe('PASSWORD_TOO_WEAK');
  });

  it('refuses a password built from the agent’s own email', () => {
    expect(refusal('sari.wulandari@example.test', ['sari.wulandari@example.test', 'Sari Wulandari'])?.code).toBe('PASSWORD_TOO_WEAK');
    expect(refusal('sari.wulandari@example.test')).toBeNull();
  });

  it('accepts a long phrase and says why it refuses, naming the rule', () => {
    expect(refusal('correct-horse-battery')).toBeNull();
    expect(refusal('plain-password-1')).toBeNull();
    expect(refusal('aaaaaaaaaa')?.message).toMatch(/too easy to guess/);
    expect(refusal('short')?.message).toMatch(/at least 10 characters/);
  });
});

/** The loaded English dictionary, held weakly (no variable of the test holds its module). */
function englishWordLists(): WeakRef<object> {
  const require = createRequire(import.meta.url);
  return new WeakRef((require.cache[require.resolve('@zxcvbn-ts/language-en')]!.exports as { dictionary: object }).dictionary);
}

describe('passwordWeakness', () => {
  it('keeps the estimator for the next check, but not after a check made once (the first admin’s at boot)', () => {
    expect(passwordWeakness('qwertyuiop')).toMatch(/too easy to guess/);
    expect(passwordEstimatorKept()).toBe(true);
    expect(passwordWeakness('qwertyuiop', [], { once: true })).toMatch(/too easy to guess/);
    expect(passwordEstimatorKept()).toBe(false);
    // Built again for the next check, with the same verdicts.
    expect(passwordWeakness('correct-horse-battery', [], { once: true })).toBeNull();
    expect(passwordEstimatorKept()).toBe(false);
    expect(passwordWeakness('correct-horse-battery')).toBeNull();
    expect(passwordEstimatorKept()).toBe(true);
  });

  it('lets the word lists be collected once the estimator is dropped, and loads them again for the next check', async () => {
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    expect(passwordWeakness('qwertyuiop')).toMatch(/too easy to guess/);
    const words = englishWordLists();
    expect(passwordWeakness('lantern-mango-orbit-7', [], { once: true })).toBeNull();
    // A WeakRef keeps its target until the job that made it ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(words.deref()).toBeUndefined();
    expect(passwordWeakness('qwertyuiop', [], { once: true })).toMatch(/too easy to guess/);
  });
});
