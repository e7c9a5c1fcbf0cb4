import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** A stored E.164 number as people write it (`+6281234567890` → `+62 812 3456 7890`); as stored when it does not parse. */
export function phoneText(e164: string | null): string | null {
  if (!e164) return null;
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}
