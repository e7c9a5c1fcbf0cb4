import { ObrolError } from '@obrol/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from './pagination.js';
import { validate } from './zod-validation.pipe.js';

describe('validate', () => {
  const schema = z.object({ email: z.email(), age: z.number().int() });

  it('returns the parsed value', () => {
    expect(validate(schema).transform({ email: 'a@b.co', age: 3 })).toEqual({ email: 'a@b.co', age: 3 });
  });

  it('throws VALIDATION_FAILED naming every wrong field', () => {
    try {
      validate(schema).transform({ email: 'nope', age: 'x' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ObrolError);
      const e = error as ObrolError;
      expect(e.code).toBe('VALIDATION_FAILED');
      expect(e.message).toMatch(/email/);
      expect((e.details as { problems: { field: string }[] }).problems.map((p) => p.field).sort()).toEqual(['age', 'email']);
    }
  });

  it('prefixes query fields and asks for a body when there is none', () => {
    expect(() => validate(schema, 'query').transform({})).toThrow(/query\.email/);
    expect(() => validate(schema).transform(undefined)).toThrow(/needs a JSON body/);
  });
});

describe('cursors', () => {
  it('round-trip and refuse garbage with a 400', () => {
    const schema = z.object({ t: z.string(), id: z.string() });
    expect(decodeCursor(encodeCursor({ t: 'x', id: 'y' }), schema)).toEqual({ t: 'x', id: 'y' });
    expect(() => decodeCursor('%%%', schema)).toThrow(ObrolError);
    expect(() => decodeCursor(encodeCursor({ t: 1 }), schema)).toThrow(/cursor is not valid/);
  });
});
