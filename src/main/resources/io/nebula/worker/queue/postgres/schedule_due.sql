-- Active schedules due at :as_of (the database clock when null), oldest first, through the partial
-- index schedules_due. Every worker reads this about once a second; it touches only due rows.
SELECT name, workflow_hash, workflow_name, cron, timezone, input::text AS input, queue, max_attempts,
       overlap, catch_up, paused, next_fire_at, last_fire_at, last_execution_id, created_at, updated_at,
       coalesce(to_timestamp(:as_of::bigint / 1000.0), now()) AS db_now
  FROM "${schema}".schedules
 WHERE NOT paused
   AND next_fire_at <= coalesce(to_timestamp(:as_of::bigint / 1000.0), now())
 ORDER BY next_fire_at
 LIMIT :limit;
