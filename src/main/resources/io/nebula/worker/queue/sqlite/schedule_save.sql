-- Creates or replaces one schedule's definition, pause state and next fire time (schedules apply);
-- the record of its last fire is kept. One upsert on the primary key.
INSERT INTO schedules (name, workflow_hash, workflow_name, cron, timezone, input, queue,
                       max_attempts, overlap, catch_up, paused, next_fire_at)
VALUES (:name, :workflow_hash, :workflow_name, :cron, :timezone, :input, :queue,
        :max_attempts, :overlap, :catch_up, :paused, :next_fire_at)
ON CONFLICT (name) DO UPDATE
   SET workflow_hash = excluded.workflow_hash, workflow_name = excluded.workflow_name,
       cron = excluded.cron, timezone = excluded.timezone, input = excluded.input,
       queue = excluded.queue, max_attempts = excluded.max_attempts, overlap = excluded.overlap,
       catch_up = excluded.catch_up, paused = excluded.paused,
       next_fire_at = excluded.next_fire_at, updated_at = CAST(unixepoch('subsec') * 1000 AS INTEGER);
