import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readmeCommand } from './test-support/readme-command.js';

/**
 * CI must run the README's test line exactly as a user types it, and nothing a user would not
 * have: a green CI that needs a hidden variable is a red README.
 */

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const readme = readFileSync(path.join(repoDir, 'README.md'), 'utf8');
const ciRun = readFileSync(path.join(repoDir, '.ci/run'), 'utf8');

/** The lines of a shell script that run something (no comments, no blank lines). */
function commandLines(script: string): string[] {
  return script
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

describe("the README's two lines", () => {
  const startLine = readmeCommand(readme, 'Start it');
  const testLine = readmeCommand(readme, 'Run the tests');

  it('install with pnpm pinned as in package.json and end in pnpm start / pnpm test', () => {
    const pinned = (JSON.parse(readFileSync(path.join(repoDir, 'package.json'), 'utf8')) as { packageManager: string }).packageManager;
    expect(pinned).toMatch(/^pnpm@/);
    expect(startLine).toBe(`npm i -g ${pinned} && pnpm install --frozen-lockfile && pnpm start`);
    expect(testLine).toBe(`npm i -g ${pinned} && pnpm install --frozen-lockfile && pnpm test`);
  });

  it('.ci/run runs the test line verbatim and no other test step', () => {
    const lines = commandLines(ciRun);
    expect(lines).toContain(testLine);
    const testSteps = lines.filter((l) => /\b(pnpm|npm|npx|turbo)\b.*\b(test|vitest)\b|\bvitest\b/.test(l));
    expect(testSteps).toEqual([testLine]);
  });

  it('.ci/run sets no environment that the README does not give', () => {
    const lines = commandLines(ciRun);
    const exported = lines.filter((l) => /^export\s/.test(l));
    expect(exported).toEqual(['export CI=true']);
    expect(ciRun).not.toMatch(/npm_config_|NPM_CONFIG_|NODE_OPTIONS|PNPM_HOME|OBROL_TEST_/);
  });

  it('a readmeCommand that finds two lines or none refuses', () => {
    expect(() => readmeCommand('## A\n\n```sh\none\ntwo\n```\n', 'A')).toThrow(/one command line/);
    expect(() => readmeCommand('## A\n\ntext\n', 'A')).toThrow(/no sh block/);
    expect(() => readmeCommand('## B\n', 'A')).toThrow(/no "## A"/);
  });
});
