-- Queues ? jobs in one statement before the clock starts; the payload is about the size of a
-- drain execution's input.
INSERT INTO baseline_jobs (payload)
SELECT jsonb_build_object('n', g) FROM generate_series(1, ?) AS g
