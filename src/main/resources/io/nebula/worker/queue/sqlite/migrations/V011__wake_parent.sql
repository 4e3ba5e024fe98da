-- V011: a parent waiting for its children is made due when one of them ends.
-- Applied by Migrator inside BEGIN IMMEDIATE, so concurrent starts serialize on the write lock.
--
-- As PostgreSQL's V011: a release for children only records its lease epoch in
-- awaiting_children_epoch, and a child that reaches succeeded, failed or cancelled makes its parent
-- due at once while that release still parks it (available, last_event 'waiting', the same epoch),
-- so a delay node's wait, a retry's backoff or a park for signals is never cut short; a parent
-- still running then gets child_ended_epoch set to its epoch, which its release for children
-- reads as due at once. The single writer needs no row locks. The parent's id is read from the
-- child's idempotency key (child:<parent id>:<node>, digits only).
ALTER TABLE executions ADD COLUMN awaiting_children_epoch INTEGER;
ALTER TABLE executions ADD COLUMN child_ended_epoch INTEGER;

CREATE TRIGGER executions_wake_parent AFTER UPDATE OF state ON executions
WHEN NEW.idempotency_key GLOB 'child:[0-9]*:*'
     AND NEW.state IN ('succeeded', 'failed', 'cancelled')
     AND OLD.state IS NOT NEW.state
     AND length(substr(NEW.idempotency_key, 7, instr(substr(NEW.idempotency_key, 7), ':') - 1)) <= 18
     AND substr(NEW.idempotency_key, 7, instr(substr(NEW.idempotency_key, 7), ':') - 1) NOT GLOB '*[^0-9]*'
BEGIN
    UPDATE executions
       SET run_at = CASE WHEN state = 'available' THEN CAST(unixepoch('subsec') * 1000 AS INTEGER)
                         ELSE run_at END,
           child_ended_epoch = CASE WHEN state = 'running' THEN lease_epoch ELSE child_ended_epoch END
     WHERE id = CAST(substr(NEW.idempotency_key, 7, instr(substr(NEW.idempotency_key, 7), ':') - 1) AS INTEGER)
       AND ((state = 'running' AND child_ended_epoch IS NOT lease_epoch)
            OR (state = 'available' AND last_event = 'waiting' AND awaiting_children_epoch = lease_epoch
                AND run_at > CAST(unixepoch('subsec') * 1000 AS INTEGER)));
END;
