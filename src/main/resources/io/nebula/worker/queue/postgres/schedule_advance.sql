-- Moves a locked schedule (see schedule_lock) past the fire times just handled, recording the last
-- fire when there was one (null keeps the previous record).
UPDATE "${schema}".schedules
   SET next_fire_at = to_timestamp(:next_fire_at::bigint / 1000.0),
       last_fire_at = coalesce(to_timestamp(:last_fire_at::bigint / 1000.0), last_fire_at),
       last_execution_id = coalesce(:last_execution_id::bigint, last_execution_id)
 WHERE name = :name;
