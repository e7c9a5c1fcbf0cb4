/**
 * `@obrol/ui/app`: what the inbox and the broadcast app share beyond presentational components —
 * the i18n setup and shared texts (every API error code in en and id), the language switch, the
 * sign-in page and the error alert. Apart from the main entry because it needs vue-i18n,
 * vue-router and @obrol/client's stores, which the presentational components do not.
 */
export { default as AuthCard } from './AuthCard.vue';
export { default as ErrorAlert } from './ErrorAlert.vue';
export { default as LanguageSwitch } from './LanguageSwitch.vue';
export { default as LoginPage } from './LoginPage.vue';
export { type ErrorText, useErrorHeadline, useErrorText } from './error-text';
export { createAppI18n, initialLocale, type Locale, LOCALES, useLocale, useLocaleFormat, useUiT, withSharedMessages } from './i18n';
export { default as sharedMessagesEn } from './messages.en';
export { default as sharedMessagesId } from './messages.id';
