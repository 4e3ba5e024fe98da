-- V004: cron schedules, and the signals executions wait for.
-- Times are integer milliseconds since the epoch. Applied by Migrator inside BEGIN IMMEDIATE.

-- One row per schedule. next_fire_at is the first fire time not yet handled; every worker's
-- scheduler reads the due rows through schedules_due and fires each inside the write lock.
-- Exactly one execution per fire time is enforced by executions_idempotency: a fire submits with
-- the key 'schedule:<name>:<fire time>'.
CREATE TABLE schedules (
    name               TEXT PRIMARY KEY,
    workflow_hash      TEXT NOT NULL REFERENCES workflows (hash),
    workflow_name      TEXT NOT NULL,
    cron               TEXT NOT NULL,
    timezone           TEXT NOT NULL,
    input              TEXT NOT NULL,
    queue              TEXT NOT NULL,
    max_attempts       INTEGER NOT NULL CHECK (max_attempts >= 1),
    overlap            TEXT NOT NULL CHECK (overlap IN ('allow', 'skip')),
    catch_up           TEXT NOT NULL,
    paused             INTEGER NOT NULL DEFAULT 0,
    next_fire_at       INTEGER NOT NULL,
    last_fire_at       INTEGER,
    last_execution_id  INTEGER,
    created_at         INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)),
    updated_at         INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER))
);
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE paused = 0;

-- One row per (execution, signal name): a delivery (received_at, data), a wait registered by a
-- parked `signal` node (waiting_since, timeout_at, node_id), or both. The primary key makes a
-- second delivery of the same signal a no-op.
CREATE TABLE signals (
    execution_id   INTEGER NOT NULL,
    name           TEXT NOT NULL,
    data           TEXT,
    received_at    INTEGER,
    node_id        TEXT,
    waiting_since  INTEGER,
    timeout_at     INTEGER,
    PRIMARY KEY (execution_id, name)
) WITHOUT ROWID;
