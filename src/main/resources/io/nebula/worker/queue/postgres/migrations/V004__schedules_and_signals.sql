-- V004: cron schedules, and the signals executions wait for.
-- Applied by Migrator under pg_advisory_xact_lock, so concurrent starts serialize.

-- One row per schedule. next_fire_at is the first fire time not yet handled; every worker's
-- scheduler reads the due rows through schedules_due and fires each under its row lock. Exactly
-- one execution per fire time is enforced by executions_idempotency: a fire submits with the key
-- 'schedule:<name>:<fire time>'.
CREATE TABLE schedules (
    name               text PRIMARY KEY,
    workflow_hash      text NOT NULL REFERENCES workflows (hash),
    workflow_name      text NOT NULL,
    cron               text NOT NULL,
    timezone           text NOT NULL,
    input              json NOT NULL,
    queue              text NOT NULL,
    max_attempts       integer NOT NULL CHECK (max_attempts >= 1),
    overlap            text NOT NULL CHECK (overlap IN ('allow', 'skip')),
    catch_up           text NOT NULL,
    paused             boolean NOT NULL DEFAULT false,
    next_fire_at       timestamptz NOT NULL,
    last_fire_at       timestamptz,
    last_execution_id  bigint,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE NOT paused;

-- One row per (execution, signal name): a delivery (received_at, data), a wait registered by a
-- parked `signal` node (waiting_since, timeout_at, node_id), or both. The primary key makes a
-- second delivery of the same signal a no-op.
CREATE TABLE signals (
    execution_id   bigint NOT NULL,
    name           text NOT NULL,
    data           json,
    received_at    timestamptz,
    node_id        text,
    waiting_since  timestamptz,
    timeout_at     timestamptz,
    PRIMARY KEY (execution_id, name)
);
