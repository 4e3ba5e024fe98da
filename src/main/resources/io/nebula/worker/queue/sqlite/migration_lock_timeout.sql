-- SQLite takes its one write lock when the migration transaction begins (busy timeout): there is
-- no other lock to bound. The parameter is unused.
SELECT :timeout AS lock_timeout;
