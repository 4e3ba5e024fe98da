-- V001: the queue, its checkpoints, its history, the worker registry and the leader lease.
-- Applied by Migrator under pg_advisory_xact_lock, so concurrent starts serialize.

CREATE TABLE workflows (
    hash        text PRIMARY KEY,
    name        text NOT NULL,
    definition  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE executions_id_seq;

-- The queue itself. Finished rows stay until pruned; the partial indexes below only cover the
-- rows the hot path touches, so their size follows the backlog, not the table.
CREATE TABLE executions (
    id                bigint PRIMARY KEY DEFAULT nextval('executions_id_seq'),
    queue             text NOT NULL,
    workflow_hash     text NOT NULL REFERENCES workflows (hash),
    workflow_name     text NOT NULL,
    input             json NOT NULL,
    state             text NOT NULL
        CHECK (state IN ('available', 'running', 'succeeded', 'failed', 'cancelled')),
    priority          smallint NOT NULL DEFAULT 0,
    run_at            timestamptz NOT NULL DEFAULT now(),
    attempt           integer NOT NULL DEFAULT 0,
    max_attempts      integer NOT NULL CHECK (max_attempts >= 1),
    deaths            integer NOT NULL DEFAULT 0,
    lease_owner       text,
    lease_epoch       bigint NOT NULL DEFAULT 0,
    lease_expires_at  timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    output            json,
    last_error        text,
    cancel_requested  boolean NOT NULL DEFAULT false,
    resumable         boolean NOT NULL DEFAULT false,
    idempotency_key   text,
    last_event        text NOT NULL DEFAULT 'submitted',
    note              text
) WITH (fillfactor = 80,
        autovacuum_vacuum_scale_factor = 0.02,
        autovacuum_vacuum_insert_scale_factor = 0.05,
        autovacuum_analyze_scale_factor = 0.05);

ALTER SEQUENCE executions_id_seq OWNED BY executions.id;

-- Claim: due rows in priority order. Partial, so finished rows cost nothing here.
CREATE INDEX executions_claim ON executions (priority, run_at, id) WHERE state = 'available';
-- Rescue: running rows by lease expiry.
CREATE INDEX executions_lease ON executions (lease_expires_at) WHERE state = 'running';
-- Pruning and throughput statistics: finished rows by finish time.
CREATE INDEX executions_finished ON executions (finished_at)
    WHERE state IN ('succeeded', 'failed', 'cancelled');
CREATE UNIQUE INDEX executions_idempotency ON executions (idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- Checkpoints: insert-only, one row per (execution, node).
CREATE TABLE node_results (
    execution_id  bigint NOT NULL,
    node_id       text NOT NULL,
    status        text NOT NULL CHECK (status IN ('succeeded', 'failed', 'skipped')),
    output        json,
    error         text,
    attempt       integer NOT NULL,
    lease_epoch   bigint NOT NULL,
    started_at    timestamptz,
    finished_at   timestamptz,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (execution_id, node_id)
);

-- Every transition of every execution, written by the trigger below in the same statement.
CREATE TABLE execution_history (
    seq           bigint GENERATED ALWAYS AS IDENTITY,
    execution_id  bigint NOT NULL,
    at            timestamptz NOT NULL DEFAULT now(),
    event         text NOT NULL,
    from_state    text,
    to_state      text NOT NULL,
    attempt       integer NOT NULL,
    lease_epoch   bigint NOT NULL,
    worker_id     text,
    detail        text
);
CREATE INDEX execution_history_execution ON execution_history (execution_id, seq);

-- Every statement that moves an execution sets last_event (and note). This statement-level
-- trigger turns the moved rows into history rows in one INSERT, inside the same transaction. A
-- row moved when its last_event or lease_epoch changed; no transition repeats the previous event
-- without a claim in between (which bumps the epoch), so heartbeats, which change neither, write
-- nothing. (PostgreSQL allows transition tables only without a column list, so the trigger fires
-- for every UPDATE and filters here.)
-- Tables are named with their schema: a trigger runs with the search path of whoever updates the
-- row, which for an operator's psql session is not this schema.
CREATE FUNCTION executions_record_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "${schema}".execution_history
        (execution_id, event, from_state, to_state, attempt, lease_epoch, worker_id, detail)
    SELECT n.id, n.last_event, o.state, n.state, n.attempt, n.lease_epoch, n.lease_owner, n.note
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.last_event IS DISTINCT FROM o.last_event OR n.lease_epoch <> o.lease_epoch;
    RETURN NULL;
END
$$;

CREATE TRIGGER executions_history
    AFTER UPDATE ON executions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION executions_record_history();

CREATE TABLE workers (
    worker_id     text PRIMARY KEY,
    pool_id       text NOT NULL,
    host          text NOT NULL,
    pid           bigint NOT NULL,
    concurrency   integer NOT NULL,
    queues        text NOT NULL,
    version       text NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    active        integer NOT NULL DEFAULT 0
);

CREATE TABLE leader (
    name        text PRIMARY KEY,
    holder      text NOT NULL,
    elected_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);

CREATE TABLE queues (
    name        text PRIMARY KEY,
    paused      boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Claims up to lim due executions for one worker. A function because of its SET clauses: the pick
-- must walk executions_claim in order and stop after lim rows. When the statistics say the
-- backlog is small (say the queue was empty at the last ANALYZE and a burst arrived since) the
-- planner would otherwise prefer a bitmap scan that reads and sorts every available row on every
-- claim, which turns each claim into a scan of the whole backlog exactly when load is highest.
-- With sorts, bitmap and sequential scans priced out, the ordered index walk (and the lookup of the
-- picked ids by primary key) are the only plans left. (JIT is off: the penalty costs would otherwise
-- trigger a compilation costing far more than the claim.)
-- FOR UPDATE SKIP LOCKED lets claimers pass each other's locked rows. Each claim bumps the lease
-- epoch (the fencing token) and the attempt; the lease expiry comes from the database clock. The
-- history trigger records the 'claimed' event.
CREATE FUNCTION claim_executions(worker text, queue_names text[], lim integer, visibility_ms bigint)
RETURNS TABLE (id bigint, queue text, workflow_hash text, workflow_name text, input text,
               attempt integer, max_attempts integer, lease_epoch bigint, resumable boolean,
               cancel_requested boolean, created_at timestamptz, due_at timestamptz,
               claimed_at timestamptz)
LANGUAGE sql
SET search_path = "${schema}"
SET enable_bitmapscan = off
SET enable_sort = off
SET enable_seqscan = off
SET jit = off
AS $$
    UPDATE executions e
       SET state = 'running',
           attempt = e.attempt + 1,
           lease_epoch = e.lease_epoch + 1,
           lease_owner = worker,
           lease_expires_at = now() + visibility_ms * interval '1 millisecond',
           started_at = coalesce(e.started_at, now()),
           last_event = 'claimed',
           note = NULL
     WHERE e.id = ANY(ARRAY(
            SELECT c.id FROM executions c
             WHERE c.state = 'available'
               AND c.run_at <= now()
               AND c.queue = ANY(queue_names)
               AND c.queue <> ALL(ARRAY(SELECT q.name FROM queues q WHERE q.paused))
             ORDER BY c.priority, c.run_at, c.id
             LIMIT lim
             FOR UPDATE SKIP LOCKED))
    RETURNING e.id, e.queue, e.workflow_hash, e.workflow_name, e.input::text, e.attempt,
              e.max_attempts, e.lease_epoch, e.resumable, e.cancel_requested, e.created_at,
              e.run_at, now();
$$;
