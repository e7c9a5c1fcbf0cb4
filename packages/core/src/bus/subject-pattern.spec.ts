import { describe, expect, it } from 'vitest';
import {
  isValidPattern,
  isValidSubject,
  narrowPatternToKind,
  patternCovers,
  subjectKind,
  subjectMatches,
  withoutCoveredPatterns,
} from './subject-pattern.js';

describe('subject patterns', () => {
  it.each([
    ['chat.acme.message.received', 'chat.acme.message.received', true],
    ['chat.*.message.received', 'chat.acme.message.received', true],
    ['chat.*.message', 'chat.acme.message.received', false],
    ['chat.>', 'chat.acme.message.received', true],
    ['chat.>', 'chat', false],
    ['chat.acme.>', 'chat.acme', false],
    ['*.acme.>', 'cmd.acme.send.whatsapp', true],
    ['>', 'live.a', true],
    ['chat.*', 'chat.acme', true],
    ['chat.*', 'chat.acme.x', false],
    ['chat.acme', 'chat.acme.x', false],
    ['chat.acme.x', 'chat.acme', false],
  ])('%s matches %s: %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });

  it('validates subjects and patterns', () => {
    expect(isValidSubject('chat.acme.message.received')).toBe(true);
    for (const bad of ['', 'chat..x', '.chat', 'chat.', 'chat.*', 'chat.>', 'chat.a b']) {
      expect(isValidSubject(bad)).toBe(false);
    }
    expect(isValidPattern('chat.*.message.>')).toBe(true);
    for (const bad of ['', 'chat.>.x', 'chat.a*', 'chat..>', 'chat.x>']) {
      expect(isValidPattern(bad)).toBe(false);
    }
    expect(() => subjectMatches('chat.>.x', 'chat.a.x')).toThrow(/invalid subject pattern/);
  });

  it('knows when one pattern covers another', () => {
    expect(patternCovers('chat.>', 'chat.*.message.*')).toBe(true);
    expect(patternCovers('chat.*.message.*', 'chat.acme.message.sent')).toBe(true);
    expect(patternCovers('chat.*.message.*', 'chat.>')).toBe(false);
    expect(patternCovers('chat.acme.>', 'chat.*.message')).toBe(false);
    expect(patternCovers('chat.*', 'chat.*')).toBe(true);
    expect(patternCovers('chat.*', 'chat.a.b')).toBe(false);
    expect(withoutCoveredPatterns(['chat.a.x', 'chat.*.x', 'chat.*.x', 'chat.b.>', 'chat.c.y'])).toEqual([
      'chat.*.x',
      'chat.b.>',
      'chat.c.y',
    ]);
  });

  it('narrows a pattern to the part inside one kind of subject', () => {
    expect(narrowPatternToKind('chat.acme.>', 'chat')).toBe('chat.acme.>');
    expect(narrowPatternToKind('chat.acme.>', 'cmd')).toBeUndefined();
    expect(narrowPatternToKind('*.acme.>', 'cmd')).toBe('cmd.acme.>');
    expect(narrowPatternToKind('>', 'chat')).toBe('chat.>');
    expect(subjectKind('live.acme.x')).toBe('live');
    expect(subjectKind('*.acme')).toBeUndefined();
  });
});
