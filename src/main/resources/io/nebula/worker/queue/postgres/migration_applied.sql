-- Versions already applied, highest last. Returns nothing when the bookkeeping table is missing
-- (the caller checks that with migration_table_exists first).
SELECT version FROM "${schema}".schema_migrations ORDER BY version;
