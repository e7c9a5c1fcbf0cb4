import { createI18n, useI18n } from 'vue-i18n';
import { type UiTranslate, uiMessages } from '../ui-text';
import sharedEn from './messages.en';
import sharedId from './messages.id';

export const LOCALES = ['en', 'id'] as const;
export type Locale = (typeof LOCALES)[number];
/** One key for both apps: a language chosen in the inbox is the broadcast app's too (same origin). */
const LOCALE_KEY = 'obrol.locale';

type Messages = Record<string, unknown>;
/** One language's texts as vue-i18n takes them (nested sections of strings). */
interface LocaleTexts {
  [key: string]: LocaleTexts | string;
}

/** The saved choice, else the browser's first language we have, else English. */
export function initialLocale(): Locale {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(LOCALE_KEY);
  if (saved === 'en' || saved === 'id') return saved;
  const languages = typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language];
  for (const lang of languages) {
    const base = lang.toLowerCase().split('-')[0];
    if (base === 'id' || base === 'in' || base === 'ms') return 'id';
    if (base === 'en') return 'en';
  }
  return 'en';
}

/**
 * An app's texts over the shared ones, section by section: an app's `app` or `login` section adds
 * its own keys (its title) to the shared section of that name rather than replacing it.
 */
export function withSharedMessages(shared: Messages, own: Messages, ui: Messages): Messages {
  const out: Messages = { ...shared, ui };
  for (const [section, texts] of Object.entries(own)) {
    const base = out[section];
    out[section] = isSection(base) && isSection(texts) ? { ...base, ...texts } : texts;
  }
  return out;
}

function isSection(value: unknown): value is Messages {
  return typeof value === 'object' && value !== null;
}

/** The vue-i18n instance of an app: its own texts, the shared ones, and the @obrol/ui components' under `ui.`. */
export function createAppI18n(own: { en: Messages; id: Messages }, locale: Locale = initialLocale()) {
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
  const messages: Record<Locale, LocaleTexts> = {
    en: withSharedMessages(sharedEn, own.en, uiMessages.en) as LocaleTexts,
    id: withSharedMessages(sharedId, own.id, uiMessages.id) as LocaleTexts,
  };
  return createI18n({ legacy: false, locale, fallbackLocale: 'en', messages });
}

/** Switches the language and remembers it for this browser. */
export function useLocale() {
  const { locale } = useI18n();
  return {
    locale,
    setLocale(next: Locale) {
      locale.value = next;
      localStorage.setItem(LOCALE_KEY, next);
      document.documentElement.lang = next;
    },
  };
}

/**
 * Dates and numbers in the page's language rather than the browser's, so an Indonesian page reads
 * "30 Nov 2026 06.01" and "100.000" even in an English browser.
 */
export function useLocaleFormat() {
  const { locale } = useI18n();
  return {
    date: (at: Date | string, options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale.value, options).format(new Date(at)),
    number: (n: number) => n.toLocaleString(locale.value),
  };
}

/** The `t` the @obrol/ui components take: their texts live under `ui.` in an app's messages. */
export function useUiT(): UiTranslate {
  const { t } = useI18n();
  return (key, params) => t(`ui.${key}`, params ?? {});
}
