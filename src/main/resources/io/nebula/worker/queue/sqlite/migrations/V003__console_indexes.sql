-- V003: indexes for the web console's pages, so every page reads about as many index entries as
-- it shows, whatever the size of the table.
--
-- The list runs newest first by (created_at, id). Its indexes leave running rows out (those come
-- from executions_lease, and are at most the workers' total concurrency), so a claim writes none
-- of them: an execution enters each when it is submitted and again when it finishes.
-- executions_state_recent covers only the states a filter picks out of many rows; succeeded
-- executions, usually most of the table, are found by walking executions_recent. A workflow
-- filter walks executions_recent too, checking rows against the filter within a bounded budget:
-- an index by workflow would add an entry to every success, the hot path's most frequent write.
CREATE INDEX executions_recent ON executions (created_at, id) WHERE state <> 'running';
CREATE INDEX executions_state_recent ON executions (state, created_at, id)
    WHERE state IN ('available', 'failed', 'cancelled');
-- The overview's "failed in the last hour": failed rows only, so succeeding work never writes it.
CREATE INDEX executions_failed_recent ON executions (finished_at) WHERE state = 'failed';
-- The definitions page, by name.
CREATE INDEX workflows_name ON workflows (name, hash);
