-- V008: the console list's index holds finished executions only.
-- Applied by Migrator inside BEGIN IMMEDIATE, so concurrent starts serialize on the write lock.
--
-- executions_recent used to cover every row but running ones, so an execution entered it twice:
-- when it was submitted and again, under the same key, when it finished. The second entry is a
-- duplicate of the first (a dead row version until vacuum removes it), and inserting next to it
-- made the success pay for a bottom-up deletion pass over the index page. Available rows are
-- already in executions_state_recent, so the list now reads them from there and merges them with
-- the finished rows from this index and the running ones from executions_lease.
DROP INDEX executions_recent;
CREATE INDEX executions_recent ON executions (created_at, id)
    WHERE state IN ('succeeded', 'failed', 'cancelled');
