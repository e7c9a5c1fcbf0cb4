import { describe, expect, it } from 'vitest';
import { postgresSettingProblems } from './postgres-settings.js';

describe('postgresSettingProblems', () => {
  it('says nothing of a server with autovacuum and its statistics on', () => {
    expect(postgresSettingProblems({ autovacuum: 'on', track_counts: 'on' })).toEqual([]);
  });

  it.each([
    [{ autovacuum: 'off', track_counts: 'on' }, 'autovacuum=off'],
    [{ autovacuum: 'on', track_counts: 'off' }, 'track_counts=off'],
  ])('names the setting that stops the tables being analyzed (%o), and what to do', (settings, named) => {
    const [problem, ...more] = postgresSettingProblems(settings);
    expect(more).toEqual([]);
    expect(problem).toContain(named);
    expect(problem).toMatch(/Turn autovacuum on/);
  });
});
