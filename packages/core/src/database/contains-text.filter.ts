import { raw } from '@mikro-orm/core';

/**
 * A filter: `column` contains `text`, ignoring case, with `%` and `_` in the text taken
 * literally. `ESCAPE` is spelled out because SQLite's LIKE has no escape character without it.
 */
export function containsText(column: string, text: string): Record<string, never[]> {
  const pattern = `%${text.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
  return { [raw((alias: string) => `lower(${alias}.${column}) like ? escape '\\'`, [pattern])]: [] };
}
