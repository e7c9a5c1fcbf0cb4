import { ObrolError, TAG_MAX_LENGTH, TAGS_MAX, type TagProblem, normalizeTag } from '@obrol/contracts';
import { z } from 'zod';

/** Tags as requests send them; `normalizeTag` decides what a tag is, so the schema only bounds sizes. */
const tagsInput = z.array(z.string().max(200)).max(100);

/** Set, add or remove tags: the body fields conversations and contacts both accept. */
export const tagChangeShape = {
  /** Replace every tag with these. */
  tags: tagsInput.optional(),
  addTags: tagsInput.optional(),
  removeTags: tagsInput.optional(),
};
export type TagChange = { tags?: string[]; addTags?: string[]; removeTags?: string[] };

const PROBLEM_TEXT: Record<TagProblem, string> = {
  empty: 'is empty',
  'too-long': `is longer than ${TAG_MAX_LENGTH} characters`,
  characters: 'may hold only letters, digits, "-" and "_", starting with a letter or digit',
};

/** The tags normalised, without repeats; a tag that cannot be one is a `TAG_INVALID` error naming it. */
export function normalizeTags(raw: string[]): string[] {
  const tags: string[] = [];
  for (const value of raw) {
    const result = normalizeTag(value);
    if (!result.ok) throw new ObrolError('TAG_INVALID', `Tag "${value.slice(0, 40)}" ${PROBLEM_TEXT[result.problem]}.`, { problems: [{ field: 'tags', message: PROBLEM_TEXT[result.problem] }], tag: value.slice(0, 40), problem: result.problem });
    if (!tags.includes(result.tag)) tags.push(result.tag);
  }
  return tags;
}

/** The tags after a change (set first, then add, then remove), or null when the change leaves them as they were. */
export function applyTagChange(current: string[], change: TagChange): { tags: string[]; added: string[]; removed: string[] } | null {
  if (!change.tags && !change.addTags && !change.removeTags) return null;
  let next = change.tags ? normalizeTags(change.tags) : [...current];
  for (const tag of normalizeTags(change.addTags ?? [])) if (!next.includes(tag)) next.push(tag);
  const removing = normalizeTags(change.removeTags ?? []);
  next = next.filter((t) => !removing.includes(t));
  if (next.length > TAGS_MAX) throw new ObrolError('TAG_INVALID', `At most ${TAGS_MAX} tags; remove one first.`, { problems: [{ field: 'tags', message: `at most ${TAGS_MAX} tags` }], problem: 'too-many' });
  const added = next.filter((t) => !current.includes(t));
  const removed = current.filter((t) => !next.includes(t));
  return added.length || removed.length ? { tags: next, added, removed } : null;
}
