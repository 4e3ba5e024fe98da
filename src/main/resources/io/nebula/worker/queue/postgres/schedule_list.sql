-- Every schedule by name, with the database clock. Schedules are few: no limit.
SELECT name, workflow_hash, workflow_name, cron, timezone, input::text AS input, queue, max_attempts,
       overlap, catch_up, paused, next_fire_at, last_fire_at, last_execution_id, created_at, updated_at, now() AS db_now
  FROM "${schema}".schedules ORDER BY name;
