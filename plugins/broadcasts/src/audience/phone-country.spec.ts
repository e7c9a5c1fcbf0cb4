import { describe, expect, it } from 'vitest';
import { countryOfNumber } from './phone-country.js';

describe('countryOfNumber', () => {
  it('reads the country of an E.164 number, telling apart countries that share a calling code', () => {
    expect(countryOfNumber('+6281234567890')).toBe('ID');
    expect(countryOfNumber('+14155552671')).toBe('US');
    expect(countryOfNumber('+14165550123')).toBe('CA');
  });

  it('says null for a number it cannot place', () => {
    expect(countryOfNumber('+999123')).toBeNull();
    expect(countryOfNumber('not a number')).toBeNull();
  });
});
