import { describe, expect, it } from 'vitest';
import { planRecipient } from './recipient.plan.js';

const base = {
  mapping: { body: [{ source: { from: 'column' as const, column: 'name' } }] },
  templateCategory: 'MARKETING',
  country: 'ID',
  marketingBlockedCountries: ['US'],
  optedOutAt: null,
  columns: { name: 'Sari' },
  contact: null,
};

describe('planRecipient', () => {
  it('plans a send with the resolved parameters', () => {
    expect(planRecipient(base)).toEqual({ status: 'pending', reason: null, reasonCode: null, reasonParams: null, parameters: { body: [{ type: 'text', text: 'Sari' }] } });
  });
  it('suppresses a customer who opted out, before anything else', () => {
    expect(planRecipient({ ...base, country: 'US', optedOutAt: new Date('2026-11-01T00:00:00Z') })).toMatchObject({ status: 'suppressed', reason: 'Opted out on 2026-11-01.', reasonCode: 'OPTED_OUT', reasonParams: { date: '2026-11-01' } });
  });
  it('skips marketing to a blocked country, but not utility', () => {
    expect(planRecipient({ ...base, country: 'US' })).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/marketing templates to numbers in US/), reasonCode: 'MARKETING_COUNTRY_BLOCKED', reasonParams: { country: 'US' } });
    expect(planRecipient({ ...base, country: 'US', templateCategory: 'UTILITY' })).toMatchObject({ status: 'pending' });
  });
  it('skips a recipient whose variables cannot be filled, saying why', () => {
    expect(planRecipient({ ...base, columns: {} })).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/body variable 1 has no value/), reasonCode: 'VARIABLE_EMPTY', reasonParams: { part: 'body', name: '1', column: 'name' } });
  });
});
