import { describe, expect, it } from 'vitest';
import { phoneText } from './phone-text';

describe('phoneText', () => {
  it('groups a number the way its country writes it, and leaves what does not parse as stored', () => {
    expect(phoneText('+6281234567890')).toBe('+62 812 3456 7890');
    expect(phoneText('+14155550123')).toBe('+1 415 555 0123');
    expect(phoneText('12345')).toBe('12345');
    expect(phoneText(null)).toBeNull();
  });
});
