-- V010: when an execution last went back to the queue, so its wait is counted from then.
-- Applied by Migrator inside BEGIN IMMEDIATE, so concurrent starts serialize on the write lock.
--
-- A release and a rescue keep run_at (the execution keeps its place in the claim order); its wait
-- starts again when it is handed back, which requeued_at records (milliseconds since the epoch,
-- NULL for an execution that never went back). See PostgreSQL's V010.
ALTER TABLE executions ADD COLUMN requeued_at INTEGER;
