-- Moves a schedule (see schedule_lock) past the fire times just handled, recording the last fire
-- when there was one (null keeps the previous record).
UPDATE schedules
   SET next_fire_at = :next_fire_at,
       last_fire_at = coalesce(:last_fire_at, last_fire_at),
       last_execution_id = coalesce(:last_execution_id, last_execution_id)
 WHERE name = :name;
