/** The single command line in the first `sh` block after a `## heading`. */
export function readmeCommand(markdown: string, heading: string): string {
  const section = markdown.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  if (!section) throw new Error(`README has no "## ${heading}" section`);
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error(`README's "## ${heading}" has no sh block`);
  const lines = block[1].split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1) throw new Error(`README's "## ${heading}" block should be one command line, found ${lines.length}`);
  return lines[0];
}
