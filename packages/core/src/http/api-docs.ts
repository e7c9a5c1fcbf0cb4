import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import type { z } from 'zod';
import { openApiSchema } from './zod-validation.pipe.js';

/** Documents a JSON body from its zod schema (validation is `@Body(validate(schema))`). */
export const ApiJsonBody = (schema: z.ZodType) => ApiBody({ schema: openApiSchema(schema) });

/** Documents each field of a zod object as a query parameter. */
export function ApiQueryFrom(schema: z.ZodObject) {
  const json = openApiSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, property]) =>
      ApiQuery({ name, required: json.required?.includes(name) ?? false, schema: property, description: property.description as string | undefined }),
    ),
  );
}
