import { useI18n } from 'vue-i18n';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** Dates in the agent's language: `at` (a date and time) and `ago` ("5 minutes ago"). */
export function useDateText() {
  const { locale, t } = useI18n();
  const at = (iso: string | null | undefined): string => (iso ? new Intl.DateTimeFormat(locale.value, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : t('admin.never'));
  const ago = (iso: string | null | undefined, now = Date.now()): string => {
    if (!iso) return t('admin.never');
    const ms = new Date(iso).getTime() - now;
    const rtf = new Intl.RelativeTimeFormat(locale.value, { numeric: 'auto' });
    for (const [unit, size] of UNITS) if (Math.abs(ms) >= size) return rtf.format(Math.round(ms / size), unit);
    return rtf.format(0, 'minute');
  };
  return { at, ago };
}
