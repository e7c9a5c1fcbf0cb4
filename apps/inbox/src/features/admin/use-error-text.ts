import { type ApiError, toApiError } from '@obrol/client';
import { useI18n } from 'vue-i18n';

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

/**
 * An API failure in the agent's language: `headline` is the sentence for its stable code;
 * `detail` is the server's own explanation (which field, what the provider said), shown smaller.
 */
export function useErrorText() {
  const { t, te } = useI18n();
  return (error: unknown): { headline: string; detail: string | null } => {
    const e = toApiError(error);
    const key = `errors.${e.code}`;
    const headline = te(key) ? t(key) : t('errors.UNKNOWN');
    return { headline, detail: e.statusCode !== 0 && e.code !== 'INTERNAL' && e.message ? e.message : null };
  };
}
