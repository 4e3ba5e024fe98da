-- V008: the console list's index holds finished executions only.
-- Applied by Migrator inside BEGIN IMMEDIATE, so concurrent starts serialize on the write lock.
--
-- executions_recent used to cover every row but running ones, so an execution entered it when it
-- was submitted, left it when it was claimed and entered it again when it finished: three index
-- writes on the single writer's thread where one is needed. Available rows are already in
-- executions_state_recent, so the list now reads them from there and merges them with the
-- finished rows from this index and the running ones from executions_lease; the index is now
-- written once per execution, when it finishes. (PostgreSQL's V008 says what the duplicate entry
-- cost there.)
DROP INDEX executions_recent;
CREATE INDEX executions_recent ON executions (created_at, id)
    WHERE state IN ('succeeded', 'failed', 'cancelled');
