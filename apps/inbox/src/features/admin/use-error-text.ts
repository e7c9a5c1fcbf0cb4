import type { ApiError } from '@obrol/client';

interface Problem {
  field?: string;
  path?: string;
  message: string;
}

/** The API's problems (`details.problems`) by field name, with a prefix such as `config.` removed. */
export function problemsByField(error: ApiError | null, prefix = ''): Record<string, string> {
  const problems = (error?.details as { problems?: Problem[] } | undefined)?.problems ?? [];
  const out: Record<string, string> = {};
  for (const p of problems) {
    const field = (p.field ?? p.path ?? '').replace(prefix, '');
    if (field && !out[field]) out[field] = p.message;
  }
  return out;
}

