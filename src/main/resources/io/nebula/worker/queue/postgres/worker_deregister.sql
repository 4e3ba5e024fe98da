-- Removes a worker that stopped cleanly.
DELETE FROM "${schema}".workers WHERE worker_id = :worker_id;
