import { toApiError } from '@obrol/client';
import { useI18n } from 'vue-i18n';

/** An error in the reader's words: a sentence for its stable code, and the server's (or provider's) own words beside it. */
export interface ErrorText {
  headline: string;
  detail: string | null;
}

/**
 * The sentence for a stable error code (`errors.<code>` of the shared catalogue, or an app's own
 * override), `errors.UNKNOWN` for a code this build does not know yet.
 */
export function useErrorHeadline() {
  const { t, te } = useI18n();
  return (code: string | null | undefined): string => (code && te(`errors.${code}`) ? t(`errors.${code}`) : t('errors.UNKNOWN'));
}

/**
 * An API failure in the reader's language: `headline` is the sentence for its stable code;
 * `detail` is the server's own explanation (which field, what the provider said), shown smaller.
 */
export function useErrorText() {
  const headline = useErrorHeadline();
  return (error: unknown): ErrorText => {
    const e = toApiError(error);
    return { headline: headline(e.code), detail: e.statusCode !== 0 && e.code !== 'INTERNAL' && e.message ? e.message : null };
  };
}
