-- Versions already applied, highest last.
SELECT version FROM schema_migrations ORDER BY version;
