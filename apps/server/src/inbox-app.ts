import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Where the built agent inbox is, when it has been built (`pnpm build` builds it with the server). */
export function inboxAppRoot(): string | null {
  try {
    const manifest = createRequire(import.meta.url).resolve('@obrol/inbox/package.json');
    const dist = path.join(path.dirname(manifest), 'dist');
    return existsSync(path.join(dist, 'index.html')) ? dist : null;
  } catch {
    return null;
  }
}
