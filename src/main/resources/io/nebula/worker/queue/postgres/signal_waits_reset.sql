-- Before a manual retry: forget the execution's signal waits (their timeouts start again when the
-- nodes wait again); delivered signals are kept and count as delivered before the wait.
DELETE FROM "${schema}".signals WHERE execution_id = :id AND received_at IS NULL;
UPDATE "${schema}".signals SET waiting_since = NULL, timeout_at = NULL, node_id = NULL WHERE execution_id = :id;
