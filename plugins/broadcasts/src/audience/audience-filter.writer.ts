import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import { CORE_OPTIONS, type CoreOptions, HandWrittenSql, databaseKindOf, newId } from '@obrol/core';
import type { AudienceFilter } from '../broadcasts/broadcast.schemas.js';
import { inItsAudience } from '../broadcasts/broadcast-recipient.entity.js';

/** The broadcast a filter chooses contacts for: its id and its number. */
export interface FilteredBroadcast {
  id: string;
  channelAccountId: string;
}

/** Contacts of the number, by id, that one `choose` looks at: after `after`, up to `upto` (the rest when null). */
export interface ContactWindow {
  after: string;
  upto: string | null;
}

/**
 * Whether the filter chooses any contact at all: ids, tags, or attributes (`{}`, no attribute
 * asked, chooses every contact of the number). Tags or ids given as empty lists choose nothing.
 */
export function choosesContacts(filter: AudienceFilter | null): filter is AudienceFilter {
  return !!filter && (!!filter.contactIds?.length || !!filter.tags?.length || !!filter.attributes);
}

/** The last id prefix handed out in this process: two `choose` statements never share one. */
let lastPrefix = '';

/**
 * The SQL of a broadcast's audience filter (ADR 0042): the contacts it chooses become recipients
 * with one `insert … select` in the database, their tags and attributes matched there, so the
 * process reads none of them. Recipients a filter added have no CSV row (`csv_row` is null):
 * that is how a new choice finds and replaces the one an earlier plan left.
 */
@Injectable()
export class AudienceFilterWriter {
  private readonly sql: HandWrittenSql;

  constructor(@Inject(CORE_OPTIONS) options: CoreOptions) {
    this.sql = new HandWrittenSql(databaseKindOf(options.database.url));
  }

  /**
   * Whether the broadcast exists (and, with `still`, is in that status, unchanged since that
   * `updatedAt`). On PostgreSQL its row stays locked until `em`'s transaction ends, so a start
   * and a plan ahead on another worker take turns; SQLite's one writer has them take turns anyway.
   */
  async lock(em: EntityManager, broadcastId: string, still?: { status: string; updatedAt: Date }): Promise<boolean> {
    const { sql } = this;
    const lock = sql.kind === 'postgresql' ? ' for update' : '';
    const rows = still
      ? await sql.all(em, `select id from broadcasts where id = ? and status = ? and updated_at = ?${lock}`, [broadcastId, still.status, sql.date(still.updatedAt)])
      : await sql.all(em, `select id from broadcasts where id = ?${lock}`, [broadcastId]);
    return rows.length > 0;
  }

  /** Removes the recipients an earlier choice added: the filter, or the contacts, may have changed since. */
  async forget(em: EntityManager, broadcastId: string): Promise<void> {
    await this.sql.run(em, `delete from broadcast_recipients where broadcast_id = ? and ${inItsAudience()} and csv_row is null`, [broadcastId, broadcastId]);
  }

  /** The id of the `size`th contact of the number after `after` (by id), where a window of that many ends; null when fewer are left. */
  async windowEnd(em: EntityManager, channelAccountId: string, after: string, size: number): Promise<string | null> {
    const { sql } = this;
    // Along the primary key: SQLite otherwise took the number's index and sorted all its contacts, once per window.
    const [row] = await sql.all<{ id: string }>(em, `select id from contacts where ${sql.unindexed('channel_account_id')} = ? and id > ? order by id limit 1 offset ?`, [
      channelAccountId,
      after,
      size - 1,
    ]);
    return row?.id ?? null;
  }

  /**
   * Adds the contacts of the window that the filter chooses as pending recipients, with one
   * statement: each number once (the contact created first, when two share it), none already on
   * the broadcast (an uploaded row, or a contact of an earlier window). Each recipient's number is
   * the contact's phone, or `+` and its external id when it has none. They join the broadcast's
   * audience (ADR 0043).
   */
  async choose(em: EntityManager, b: FilteredBroadcast, filter: AudienceFilter, window: ContactWindow): Promise<void> {
    const { sql } = this;
    const postgres = sql.kind === 'postgresql';
    const matches = this.conditions(filter);
    const upto = window.upto === null ? '' : ' and c.id <= ?';
    // A window is read along the primary key (as `windowEnd` is); all of the number's contacts at once, by its index.
    const account = window.after === '' && window.upto === null ? 'c.channel_account_id' : sql.unindexed('c.channel_account_id');
    // Ids made in the database: a fresh id's time and sequence, then the row's number in 12 hex
    // digits, so they sort after the recipients already there and in the contacts' order.
    const id = postgres ? `? || lpad(to_hex(chosen.n), 12, '0')` : `? || printf('%012x', chosen.n)`;
    const at = postgres ? '?::timestamptz' : '?';
    const now = sql.date(new Date());
    await sql.run(
      em,
      'insert into broadcast_recipients (id, created_at, updated_at, broadcast_id, audience_id, phone, columns, contact_id, status, attempts) ' +
        `select ${id}, ${at}, ${at}, ?, (select audience_id from broadcasts where id = ?), chosen.phone, ${postgres ? `'{}'::jsonb` : `'{}'`}, chosen.contact_id, 'pending', 0 from (` +
        "select coalesce(c.phone, '+' || c.external_id) as phone, min(c.id) as contact_id, row_number() over (order by min(c.id)) as n " +
        `from contacts c where ${account} = ? and c.id > ?${upto}${matches.sql} ` +
        "group by coalesce(c.phone, '+' || c.external_id)) chosen " +
        `where not exists (select 1 from broadcast_recipients r where r.broadcast_id = ? and ${inItsAudience('r.audience_id')} and r.phone = chosen.phone) ` +
        // A recipient another worker's plan stored meanwhile (PostgreSQL) is left as it is.
        'on conflict (broadcast_id, audience_id, phone) do nothing',
      [idPrefix(), now, now, b.id, b.id, b.channelAccountId, window.after, ...(window.upto === null ? [] : [window.upto]), ...matches.params, b.id, b.id],
    );
  }

  /**
   * The filter as conditions on contacts `c`, every value bound: ids in the list, every tag in
   * `tags`, every attribute equal (a string, as the API takes it). PostgreSQL asks jsonb
   * containment (`@>`) of the whole list or object at once; SQLite asks that no tag or attribute
   * asked for is missing from `json_each` of the contact's.
   */
  private conditions(filter: AudienceFilter): { sql: string; params: unknown[] } {
    const postgres = this.sql.kind === 'postgresql';
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.contactIds?.length) {
      where.push(postgres ? 'c.id in (select jsonb_array_elements_text(?::jsonb))' : 'c.id in (select value from json_each(?))');
      params.push(JSON.stringify(filter.contactIds));
    }
    if (filter.tags?.length) {
      where.push(
        postgres
          ? 'c.tags @> ?::jsonb'
          : 'not exists (select 1 from json_each(?) wanted where not exists (select 1 from json_each(c.tags) tag where tag.value = wanted.value))',
      );
      params.push(JSON.stringify(filter.tags));
    }
    if (filter.attributes && Object.keys(filter.attributes).length) {
      where.push(
        postgres
          ? 'c.attributes @> ?::jsonb'
          : 'not exists (select 1 from json_each(?) wanted where not exists (select 1 from json_each(c.attributes) attribute where attribute.key = wanted.key and attribute.value = wanted.value))',
      );
      params.push(JSON.stringify(filter.attributes));
    }
    return { sql: where.map((w) => ` and ${w}`).join(''), params };
  }
}

/**
 * The first ten bytes of a new id (its millisecond and most of its sequence), as 24 characters,
 * later than any this process handed out before: within a millisecond the sequence's last six
 * bits are not in them, so a new id may share the last prefix, and then another is drawn.
 */
function idPrefix(): string {
  let prefix: string;
  do prefix = newId().slice(0, 24);
  while (prefix <= lastPrefix);
  lastPrefix = prefix;
  return prefix;
}
