-- Pauses or resumes one schedule (primary key). A resume may move the next fire time (when given),
-- so the time spent paused is not caught up. Returns the name when the schedule exists.
UPDATE "${schema}".schedules
   SET paused = :paused,
       next_fire_at = coalesce(to_timestamp(:next_fire_at::bigint / 1000.0), next_fire_at),
       updated_at = now()
 WHERE name = :name
RETURNING name;
