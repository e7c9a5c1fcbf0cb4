import { type PipeTransform } from '@nestjs/common';
import { ObrolError } from '@obrol/contracts';
import { z } from 'zod';

/** One problem with a request field, as clients receive it in `details`. */
export interface FieldProblem {
  field: string;
  message: string;
}

export function fieldProblems(error: z.ZodError, prefix?: string): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: issue.message,
  }));
}

/** Validates a body, query or params with a zod schema; a mismatch is a 400 that names the fields. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly where: 'body' | 'query' | 'params' = 'body',
  ) {}

  transform(value: unknown): z.infer<S> {
    if (this.where === 'body' && (value === undefined || value === null)) {
      throw new ObrolError('VALIDATION_FAILED', 'The request needs a JSON body.');
    }
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const problems = fieldProblems(result.error, this.where === 'body' ? undefined : this.where);
    const summary = problems
      .slice(0, 3)
      .map((p) => `${p.field}: ${p.message}`)
      .join('; ');
    throw new ObrolError('VALIDATION_FAILED', `Invalid ${this.where}: ${summary}`, { problems });
  }
}

/** `@Body(validate(schema))` */
export const validate = <S extends z.ZodType>(schema: S, where: 'body' | 'query' | 'params' = 'body') =>
  new ZodValidationPipe(schema, where);

/** The JSON Schema of a zod schema, for OpenAPI decorators. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', unrepresentable: 'any', io }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
