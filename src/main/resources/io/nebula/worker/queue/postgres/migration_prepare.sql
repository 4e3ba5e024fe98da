-- Makes sure the schema and the bookkeeping table exist (under migration_lock), and points this
-- transaction's search path at the schema: the migrations name their tables without it. SET LOCAL
-- ends with the transaction, so nothing of it outlives the migration on a pooled connection.
CREATE SCHEMA IF NOT EXISTS "${schema}";
CREATE TABLE IF NOT EXISTS "${schema}".schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
SET LOCAL search_path TO "${schema}";
