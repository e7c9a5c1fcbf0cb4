import { createAppI18n, type Locale } from '@obrol/ui/app';
import en from './en';
import id from './id';

// The setup, the language switch and the shared texts (sign-in, every error code) live in @obrol/ui/app.
export { initialLocale, type Locale, LOCALES, useLocale, useUiT } from '@obrol/ui/app';

/** The broadcast app's texts over the shared ones. */
export function createBroadcastI18n(locale?: Locale) {
  return createAppI18n({ en, id }, locale);
}
