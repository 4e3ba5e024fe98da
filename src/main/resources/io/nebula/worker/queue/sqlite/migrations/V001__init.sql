-- V001: the queue, its checkpoints, its history, the worker registry and the leader lease.
-- Times are integer milliseconds since the epoch, taken from SQLite's clock. Applied by Migrator
-- inside BEGIN IMMEDIATE, so concurrent starts serialize on the write lock.

CREATE TABLE workflows (
    hash        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    definition  TEXT NOT NULL,
    created_at  INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER))
);

CREATE TABLE executions (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    queue             TEXT NOT NULL,
    workflow_hash     TEXT NOT NULL REFERENCES workflows (hash),
    workflow_name     TEXT NOT NULL,
    input             TEXT NOT NULL,
    state             TEXT NOT NULL
        CHECK (state IN ('available', 'running', 'succeeded', 'failed', 'cancelled')),
    priority          INTEGER NOT NULL DEFAULT 0,
    run_at            INTEGER NOT NULL,
    attempt           INTEGER NOT NULL DEFAULT 0,
    max_attempts      INTEGER NOT NULL CHECK (max_attempts >= 1),
    deaths            INTEGER NOT NULL DEFAULT 0,
    lease_owner       TEXT,
    lease_epoch       INTEGER NOT NULL DEFAULT 0,
    lease_expires_at  INTEGER,
    created_at        INTEGER NOT NULL,
    started_at        INTEGER,
    finished_at       INTEGER,
    output            TEXT,
    last_error        TEXT,
    cancel_requested  INTEGER NOT NULL DEFAULT 0,
    resumable         INTEGER NOT NULL DEFAULT 0,
    idempotency_key   TEXT,
    last_event        TEXT NOT NULL DEFAULT 'submitted',
    note              TEXT
);

CREATE INDEX executions_claim ON executions (priority, run_at, id) WHERE state = 'available';
CREATE INDEX executions_lease ON executions (lease_expires_at) WHERE state = 'running';
CREATE INDEX executions_finished ON executions (finished_at)
    WHERE state IN ('succeeded', 'failed', 'cancelled');
CREATE UNIQUE INDEX executions_idempotency ON executions (idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE TABLE node_results (
    execution_id  INTEGER NOT NULL,
    node_id       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('succeeded', 'failed', 'skipped')),
    output        TEXT,
    error         TEXT,
    attempt       INTEGER NOT NULL,
    lease_epoch   INTEGER NOT NULL,
    started_at    INTEGER,
    finished_at   INTEGER,
    recorded_at   INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)),
    PRIMARY KEY (execution_id, node_id)
) WITHOUT ROWID;

CREATE TABLE execution_history (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id  INTEGER NOT NULL,
    at            INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)),
    event         TEXT NOT NULL,
    from_state    TEXT,
    to_state      TEXT NOT NULL,
    attempt       INTEGER NOT NULL,
    lease_epoch   INTEGER NOT NULL,
    worker_id     TEXT,
    detail        TEXT
);
CREATE INDEX execution_history_execution ON execution_history (execution_id, seq);

-- Every statement that moves an execution sets last_event (and note); this trigger writes the
-- history row in the same statement.
CREATE TRIGGER executions_history AFTER UPDATE OF last_event ON executions
BEGIN
    INSERT INTO execution_history
        (execution_id, event, from_state, to_state, attempt, lease_epoch, worker_id, detail)
    VALUES (NEW.id, NEW.last_event, OLD.state, NEW.state, NEW.attempt, NEW.lease_epoch,
            NEW.lease_owner, NEW.note);
END;

CREATE TABLE workers (
    worker_id     TEXT PRIMARY KEY,
    pool_id       TEXT NOT NULL,
    host          TEXT NOT NULL,
    pid           INTEGER NOT NULL,
    concurrency   INTEGER NOT NULL,
    queues        TEXT NOT NULL,
    version       TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    active        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE leader (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    elected_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE queues (
    name        TEXT PRIMARY KEY,
    paused      INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL
);
