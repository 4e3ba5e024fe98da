-- V014: nothing to change on SQLite. PostgreSQL's V014 makes a checkpoint's fence hold its
-- executions' rows until the checkpoint commits; SQLite has one writer at a time, so a rescue or a
-- claim never commits while a checkpoint is being written.
SELECT 1;
