-- Clears the dead rows and index entries a warm-up left, so the timed drain after it starts from
-- the same table state whatever the warm-up's size (the database may run with autovacuum off).
VACUUM (ANALYZE) executions
