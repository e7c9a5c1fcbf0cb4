import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { apiErrorSchema, pageSchema } from '@obrol/contracts';
import { z } from 'zod';
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

/** Documents a successful response from the zod schema of what the handler returns. */
export const ApiOk = (schema: z.ZodType, status = 200) => ApiResponse({ status, schema: openApiSchema(schema, 'output') });

/** Documents a cursor-paginated list response. */
export const ApiPage = (item: z.ZodType) => ApiOk(pageSchema(item));

/** Documents a list response without pagination. */
export const ApiList = (item: z.ZodType, status = 200) => ApiOk(z.object({ items: z.array(item) }), status);

/** Documents the error responses a route may give, all in the one error body. */
export const ApiErrors = (...statuses: number[]) =>
  applyDecorators(...statuses.map((status) => ApiResponse({ status, description: 'Error: `{ statusCode, code, message, details? }`', schema: openApiSchema(apiErrorSchema, 'output') })));
