-- V012: a queue may limit how many of its executions run at once, across every worker.
-- Applied by Migrator inside BEGIN IMMEDIATE, so concurrent starts serialize on the write lock.
--
-- As PostgreSQL's V012: queues.max_running is that limit (NULL: none, the default), set by
-- `queues limit`. An execution counts while its state is running. The claim reads the room each
-- limited queue has left (queue_room.sql) inside its write transaction, picks at most that many of
-- each in claim order (execution_claim_candidates.sql) and claims them by id
-- (execution_claim_ids.sql; see LeaseStatements).
ALTER TABLE queues ADD COLUMN max_running INTEGER CHECK (max_running >= 1);
