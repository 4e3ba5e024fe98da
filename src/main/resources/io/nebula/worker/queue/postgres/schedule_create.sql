-- Stores a new schedule unless the name is taken (primary key); returns the name when created.
INSERT INTO "${schema}".schedules (name, workflow_hash, workflow_name, cron, timezone, input, queue,
                       max_attempts, overlap, catch_up, paused, next_fire_at)
VALUES (:name, :workflow_hash, :workflow_name, :cron, :timezone, :input::json, :queue,
        :max_attempts, :overlap, :catch_up, :paused, to_timestamp(:next_fire_at::bigint / 1000.0))
ON CONFLICT (name) DO NOTHING
RETURNING name;
