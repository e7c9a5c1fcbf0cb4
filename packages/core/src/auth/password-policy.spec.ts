import { describe, expect, it } from 'vitest';
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
});
