-- Whether the bookkeeping table exists, without creating anything.
SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations';
