-- The bare queue loop the drain is read against: the simplest table a SKIP LOCKED queue needs,
-- with a partial index for the claim walk and one for lease expiry. Created in the run's own
-- schema (the connection's search path).
CREATE TABLE baseline_jobs (
    id           bigserial PRIMARY KEY,
    queue        text DEFAULT 'default',
    state        smallint DEFAULT 0,
    run_at       timestamptz DEFAULT now(),
    attempts     int DEFAULT 0,
    max_attempts int DEFAULT 5,
    locked_by    text,
    locked_until timestamptz,
    payload      jsonb,
    result       jsonb,
    created_at   timestamptz DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX baseline_jobs_available ON baseline_jobs (queue, run_at, id) WHERE state = 0;
CREATE INDEX baseline_jobs_locked ON baseline_jobs (locked_until) WHERE state = 1;
