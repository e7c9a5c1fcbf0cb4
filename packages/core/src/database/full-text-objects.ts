/**
 * The database objects of full-text search (ADR 0022, migration 20261130000200) that no entity
 * describes: MikroORM's schema tools and the schema comparison leave these out, and only these.
 */
export const FULL_TEXT_OBJECTS = {
  /** SQLite: the FTS5 table and the shadow tables FTS5 keeps for it (MikroORM cannot read a virtual table's columns). */
  sqliteTables: ['messages_search', 'messages_search_config', 'messages_search_data', 'messages_search_docsize', 'messages_search_idx'],
  /** PostgreSQL: what a comparison with the entities would drop, the generated tsvector column and its GIN index. */
  postgresqlDrops: ['drop index "messages_search_vector_index";', 'alter table "messages" drop column "search_vector";'],
  /** PostgreSQL: their names, which a generated migration must not touch. */
  postgresqlNames: ['search_vector', 'messages_search_vector_index'],
} as const;
