-- Pauses or resumes one schedule (primary key). A resume may move the next fire time (when given),
-- so the time spent paused is not caught up. Returns the name when the schedule exists.
UPDATE schedules
   SET paused = :paused,
       next_fire_at = coalesce(:next_fire_at, next_fire_at),
       updated_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
 WHERE name = :name
RETURNING name;
