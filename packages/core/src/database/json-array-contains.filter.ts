import { raw } from '@mikro-orm/core';
import type { DatabaseKind } from './orm-config.js';

/**
 * A filter: the JSON array in `column` holds the string `value`. SQLite looks through
 * `json_each`; PostgreSQL uses jsonb containment (`@>`), which a GIN index can serve. With
 * `via`, the array is on the row another table's foreign key points to (a conversation's
 * contact: `{ table: 'contacts', key: 'contact_id' }`).
 */
export function jsonArrayContains(kind: DatabaseKind, column: string, value: string, via?: { table: string; key: string }): Record<string, never[]> {
  const test = (source: string) =>
    kind === 'postgresql' ? `${source}.${column} @> ?::jsonb` : `exists (select 1 from json_each(${source}.${column}) where json_each.value = ?)`;
  const param = kind === 'postgresql' ? JSON.stringify([value]) : value;
  const sql = (alias: string) => (via ? `exists (select 1 from ${via.table} t_via where t_via.id = ${alias}.${via.key} and ${test('t_via')})` : test(alias));
  return { [raw(sql, [param])]: [] };
}
