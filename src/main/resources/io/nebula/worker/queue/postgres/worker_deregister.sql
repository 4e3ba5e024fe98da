-- Removes a worker that stopped cleanly.
DELETE FROM workers WHERE worker_id = :worker_id;
