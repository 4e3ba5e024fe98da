-- Creates or replaces one schedule's definition, pause state and next fire time (schedules apply);
-- the record of its last fire is kept. One upsert on the primary key.
INSERT INTO "${schema}".schedules (name, workflow_hash, workflow_name, cron, timezone, input, queue,
                       max_attempts, overlap, catch_up, paused, next_fire_at)
VALUES (:name, :workflow_hash, :workflow_name, :cron, :timezone, :input::json, :queue,
        :max_attempts, :overlap, :catch_up, :paused, to_timestamp(:next_fire_at::bigint / 1000.0))
ON CONFLICT (name) DO UPDATE
   SET workflow_hash = EXCLUDED.workflow_hash, workflow_name = EXCLUDED.workflow_name,
       cron = EXCLUDED.cron, timezone = EXCLUDED.timezone, input = EXCLUDED.input,
       queue = EXCLUDED.queue, max_attempts = EXCLUDED.max_attempts, overlap = EXCLUDED.overlap,
       catch_up = EXCLUDED.catch_up, paused = EXCLUDED.paused,
       next_fire_at = EXCLUDED.next_fire_at, updated_at = now();
