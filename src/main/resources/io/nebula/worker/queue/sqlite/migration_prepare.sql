-- Makes sure the bookkeeping table exists. The caller holds the write lock (BEGIN IMMEDIATE), so
-- concurrent migrators serialize.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER))
);
