import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Where a built web app of the workspace is, when it has been built (`pnpm build` builds them with the server). */
function builtAppRoot(pkg: string): string | null {
  try {
    const manifest = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
    const dist = path.join(path.dirname(manifest), 'dist');
    return existsSync(path.join(dist, 'index.html')) ? dist : null;
  } catch {
    return null;
  }
}

/** The agent inbox, served at `/`. */
export function inboxAppRoot(): string | null {
  return builtAppRoot('@obrol/inbox');
}

/** The broadcast app, served at `/broadcasts/`. */
export function broadcastAppRoot(): string | null {
  return builtAppRoot('@obrol/broadcast');
}
