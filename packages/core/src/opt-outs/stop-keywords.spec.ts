import { describe, expect, it } from 'vitest';
import { DEFAULT_START_KEYWORDS, DEFAULT_STOP_KEYWORDS, optOutRequestOf } from './stop-keywords.js';

const keywords = { stop: DEFAULT_STOP_KEYWORDS, start: DEFAULT_START_KEYWORDS };

describe('optOutRequestOf', () => {
  it('reads a whole-message keyword in any case and spacing', () => {
    expect(optOutRequestOf('stop', keywords)).toBe('stop');
    expect(optOutRequestOf('  Stop   Promo! ', keywords)).toBe('stop');
    expect(optOutRequestOf('berhenti', keywords)).toBe('stop');
    expect(optOutRequestOf('START', keywords)).toBe('start');
  });
  it('ignores a keyword inside a longer message', () => {
    expect(optOutRequestOf('please stop sending the wrong size', keywords)).toBeNull();
    expect(optOutRequestOf(undefined, keywords)).toBeNull();
  });
});
