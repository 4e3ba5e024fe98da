-- Registers (or re-registers) a worker process: its row is replaced, not updated, so that a
-- column this build does not know (one a newer build added and set, under the same worker id)
-- goes back to its default instead of claiming what this build cannot do. reads_levels: this
-- build reads checkpoints kept in node_levels (see V009), so its presence does not hold their
-- writing back.
DELETE FROM "${schema}".workers WHERE worker_id = :worker_id;
INSERT INTO "${schema}".workers (worker_id, pool_id, host, pid, concurrency, queues, version, started_at,
                     last_seen_at, active, reads_levels)
VALUES (:worker_id, :pool_id, :host, :pid, :concurrency, :queues, :version, now(), now(), 0, true);
