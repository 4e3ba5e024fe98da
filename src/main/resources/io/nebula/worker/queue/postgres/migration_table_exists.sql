-- Whether the bookkeeping table exists in the worker's schema, without creating anything.
SELECT count(*) AS n FROM information_schema.tables
 WHERE table_schema = '${schema}' AND table_name = 'schema_migrations';
