import { type UiTranslate, uiMessages } from '@obrol/ui';
import { createI18n, useI18n } from 'vue-i18n';
import en from './en';
import id from './id';

export const LOCALES = ['en', 'id'] as const;
export type Locale = (typeof LOCALES)[number];
const LOCALE_KEY = 'obrol.locale';

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

export function createBroadcastI18n(locale: Locale = initialLocale()) {
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages: { en: { ...en, ui: uiMessages.en }, id: { ...id, ui: uiMessages.id } },
  });
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

/** The `t` the @obrol/ui components take: their texts live under `ui.` in our messages. */
export function useUiT(): UiTranslate {
  const { t } = useI18n();
  return (key, params) => t(`ui.${key}`, params ?? {});
}
