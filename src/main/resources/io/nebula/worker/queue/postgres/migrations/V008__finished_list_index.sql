-- V008: the console list's index holds finished executions only.
-- Applied by Migrator under pg_advisory_xact_lock, so concurrent starts serialize.
--
-- executions_recent used to cover every row but running ones, so an execution entered it twice:
-- when it was submitted and again, under the same key, when it finished. The second entry is a
-- duplicate of the first (a dead row version until vacuum removes it), and inserting next to it
-- made the success pay for a bottom-up deletion pass over the index page. Available rows are
-- already in executions_state_recent, so the list now reads them from there and merges them with
-- the finished rows from this index and the running ones from executions_lease.
--
-- The new index is built first, under another name: building takes a SHARE lock, which holds back
-- writes (claims and completions included) but lets reads run; dropping the old index takes an
-- ACCESS EXCLUSIVE lock, which blocks reads too, and only for the short rest of the transaction.
CREATE INDEX executions_finished_list ON executions (created_at, id)
    WHERE state IN ('succeeded', 'failed', 'cancelled');
DROP INDEX executions_recent;
ALTER INDEX executions_finished_list RENAME TO executions_recent;
