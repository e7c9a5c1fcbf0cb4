import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { type MessageContent, ObrolError, type SearchSnippet } from '@obrol/contracts';

/**
 * One word of a search: a message matches when one of its words starts with any of the
 * alternatives (a phone number has several spellings: as typed, and in international form).
 */
export interface SearchTerm {
  alternatives: string[];
}

/** What a search box's text asks for: every term must match (AND), each by prefix. */
export interface SearchQuery {
  terms: SearchTerm[];
}

const MAX_TERMS = 10;
const MAX_TERM_LENGTH = 64;
/** Word characters, as SQLite FTS5's `unicode61` tokenizer and the PostgreSQL column's `[[:alnum:]]` split text. */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const PHONE = /^\+?\d{6,15}$/;

function invalid(message: string): ObrolError {
  return new ObrolError('SEARCH_QUERY_INVALID', message, { problems: [{ field: 'query.q', message }] });
}

/** Lower case without accents, to mark the words a match found (FTS5 ignores accents, PostgreSQL's `simple` does not). */
function folded(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * The spellings of a phone number as it may be stored: as typed and in international form
 * without `+` (how both indexes split "+62812…"), read in `defaultCountry` when it has no
 * country code ("0812…" in ID is 62812…).
 */
function phoneAlternatives(digits: string, defaultCountry: string): string[] {
  const parsed = parsePhoneNumberFromString(digits, defaultCountry as CountryCode);
  const international = parsed?.isPossible() ? parsed.number.slice(1) : null;
  return [...new Set([digits.replace(/^\+/, ''), ...(international ? [international] : [])])];
}

/** The digits a phone number in the search box may be stored as, or null when it is no phone number. */
export function phoneSpellingsOf(q: string, defaultCountry: string): string[] | null {
  const compact = q.replace(/[\s().-]/g, '');
  return PHONE.test(compact) ? phoneAlternatives(compact, defaultCountry) : null;
}

/**
 * Reads a search box's text: its words, or a phone number in any format ("0812-3456-7890",
 * "+62 812…"). A query without a letter or digit, or with too many or too long words, is
 * `SEARCH_QUERY_INVALID`.
 */
export function parseSearchQuery(q: string, defaultCountry: string): SearchQuery {
  const phone = phoneSpellingsOf(q, defaultCountry);
  if (phone) return { terms: [{ alternatives: phone }] };
  const words = [...new Set((q.match(WORD) ?? []).filter((w) => /[\p{L}\p{N}]/u.test(w)).map((w) => w.toLowerCase()))];
  if (words.length === 0) throw invalid('Search for at least one letter or digit.');
  if (words.length > MAX_TERMS) throw invalid(`Search for at most ${MAX_TERMS} words.`);
  if (words.some((w) => w.length > MAX_TERM_LENGTH)) throw invalid(`A search word has at most ${MAX_TERM_LENGTH} characters.`);
  return { terms: words.map((w) => ({ alternatives: [w] })) };
}

/** The query as an FTS5 `MATCH` expression: quoted prefix terms (words hold no quotes). */
export function fts5Match(query: SearchQuery): string {
  return query.terms.map((t) => `(${t.alternatives.map((a) => `"${a}"*`).join(' OR ')})`).join(' AND ');
}

/** The query as PostgreSQL `to_tsquery` text: prefix lexemes (words hold no quotes or operators). */
export function tsQuery(query: SearchQuery): string {
  return query.terms.map((t) => `(${t.alternatives.map((a) => `'${a}':*`).join(' | ')})`).join(' & ');
}

/**
 * The text of a message that search indexes. It must read the same fields as the index's SQL
 * (`messages_search` triggers on SQLite, the `search_vector` column on PostgreSQL: migration
 * 20261130000200), so that a match can be shown.
 */
export function searchableTextOf(content: MessageContent): string {
  switch (content.type) {
    case 'text':
    case 'system':
      return content.text;
    case 'order':
      return content.text ?? '';
    case 'image':
    case 'video':
    case 'audio':
    case 'sticker':
      return content.media.caption ?? '';
    case 'document':
      return [content.media.caption, content.filename].filter(Boolean).join(' ');
    case 'location':
      return [content.name, content.address].filter(Boolean).join(' ');
    case 'interactive':
      return content.interactive.body;
    case 'interactive_reply':
      return content.reply.title;
    case 'template':
      return content.template.renderedText ?? '';
    case 'contacts':
    case 'reaction':
    case 'unsupported':
      return '';
  }
}

const SNIPPET_LENGTH = 160;
const SNIPPET_LEAD = 40;

/**
 * A stretch of `text` around its first match, with every matching word in it marked; a cut
 * end shows `…`. Marked by the words the query matched, so the highlight agrees with the index.
 */
export function snippetOf(text: string, query: SearchQuery): SearchSnippet {
  const matches = (word: string) => query.terms.some((t) => t.alternatives.some((a) => folded(word).startsWith(folded(a))));
  const found = [...text.matchAll(WORD)].filter((m) => matches(m[0])).map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const first = found[0]?.start ?? 0;
  let from = Math.max(0, first - SNIPPET_LEAD);
  // Start at a word's beginning rather than inside it.
  const space = text.indexOf(' ', from);
  if (from > 0 && space >= 0 && space < first) from = space + 1;
  const to = Math.min(text.length, from + SNIPPET_LENGTH);
  const head = from > 0 ? '…' : '';
  const tail = to < text.length ? '…' : '';
  const marks = found.filter((m) => m.start >= from && m.end <= to).map((m) => ({ start: m.start - from + head.length, end: m.end - from + head.length }));
  return { text: `${head}${text.slice(from, to)}${tail}`, marks };
}
