-- V007: the trace context of each execution.
-- Applied by Migrator inside BEGIN IMMEDIATE, so concurrent starts serialize on the write lock.

-- The W3C traceparent of whoever submitted the execution (or of the new trace its submit began);
-- every attempt, on whichever worker, continues that trace. NULL for executions submitted before.
ALTER TABLE executions ADD COLUMN traceparent TEXT;
