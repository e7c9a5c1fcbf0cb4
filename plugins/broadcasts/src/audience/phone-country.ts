import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** The country (ISO 3166 alpha-2) of a number in E.164, or null when libphonenumber cannot tell. */
export function countryOfNumber(e164: string): string | null {
  return parsePhoneNumberFromString(e164)?.country ?? null;
}
