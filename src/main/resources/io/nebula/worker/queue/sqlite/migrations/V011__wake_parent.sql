-- V011: a parent waiting for its children is made due when one of them ends.
-- Applied by Migrator inside BEGIN IMMEDIATE, so concurrent starts serialize on the write lock.
--
-- As PostgreSQL's V011: a release for children only records awaiting_children, and a child that
-- reaches succeeded, failed or cancelled makes its parent so marked due at once (a delay node's
-- wait is never cut short); a parent still running then gets run_at moved past its claim, which a
-- release for children keeps. The single writer needs no row locks. The parent's id is read from
-- the child's idempotency key (child:<parent id>:<node>); a key that names no number reads as 0,
-- which no execution has.
ALTER TABLE executions ADD COLUMN awaiting_children INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER executions_wake_parent AFTER UPDATE OF state ON executions
WHEN NEW.idempotency_key GLOB 'child:*'
     AND NEW.state IN ('succeeded', 'failed', 'cancelled')
     AND OLD.state IS NOT NEW.state
BEGIN
    UPDATE executions
       SET run_at = max(CAST(unixepoch('subsec') * 1000 AS INTEGER), coalesce(claimed_at, 0) + 1)
     WHERE id = CAST(substr(NEW.idempotency_key, 7, instr(substr(NEW.idempotency_key, 7), ':') - 1) AS INTEGER)
       AND (state = 'running'
            OR (state = 'available' AND awaiting_children = 1
                AND run_at > CAST(unixepoch('subsec') * 1000 AS INTEGER)));
END;
