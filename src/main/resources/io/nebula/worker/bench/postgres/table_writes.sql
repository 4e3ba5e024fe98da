-- Rows inserted and updated per table of the current schema since it was created, from the
-- statistics views (a backend reports its counts when its transaction ends and at exit, so read
-- this after the worker's connections have closed).
SELECT relname AS table_name, n_tup_ins AS inserted, n_tup_upd AS updated, n_tup_hot_upd AS hot_updated,
       n_tup_del AS deleted
  FROM pg_stat_user_tables
 WHERE schemaname = current_schema()
 ORDER BY relname
