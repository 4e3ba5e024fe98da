-- One schedule by name (primary key), with the database clock.
SELECT name, workflow_hash, workflow_name, cron, timezone, input::text AS input, queue, max_attempts,
       overlap, catch_up, paused, next_fire_at, last_fire_at, last_execution_id, created_at, updated_at, now() AS db_now
  FROM "${schema}".schedules WHERE name = :name;
