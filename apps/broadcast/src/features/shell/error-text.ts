import { toApiError } from '@obrol/client';

type T = (key: string, params?: Record<string, unknown>) => string;

/** An API failure in words, translated by its stable code; the server's sentence only for codes we do not know. */
export function errorText(t: T, te: (key: string) => boolean, error: unknown): string {
  const e = toApiError(error);
  const key = `errors.${e.code}`;
  return te(key) ? t(key, { message: e.message }) : t('errors.unknown', { message: e.message });
}
