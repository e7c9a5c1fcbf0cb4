import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, or OBROL_TEST_CHROMIUM. */
export const CHROMIUM = process.env.OBROL_TEST_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether a browser suite can run: Chromium is installed, and whatever else `also` names. On a
 * laptop without it the suite skips with one line; in CI (`CI=true`) it is mandatory.
 */
export function browserSuiteAvailable(also: { ok: boolean; what: string } = { ok: true, what: '' }): boolean {
  const missing = [existsSync(CHROMIUM) ? null : `Chromium at ${CHROMIUM}`, also.ok ? null : also.what].filter(Boolean).join(' and ');
  if (!missing) return true;
  if (process.env.CI === 'true') throw new Error(`${missing} is required in CI`);
  console.warn(`skipped: ${missing} not found; install Chromium (apt-get install chromium) or set OBROL_TEST_CHROMIUM`);
  return false;
}

/** Headless Chromium with the flags this project's machines need. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}
