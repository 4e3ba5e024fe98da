-- Serializes concurrent migrators of one schema; released when the migration transaction ends.
SELECT pg_advisory_xact_lock(hashtext('nebula-worker:migrate:' || :schema));
