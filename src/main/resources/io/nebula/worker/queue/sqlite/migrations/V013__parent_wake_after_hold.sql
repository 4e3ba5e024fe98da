-- V013: nothing to change on SQLite. PostgreSQL's V013 passes on a parent's wake-up that a child's
-- end skipped because another transaction held the parent's row; SQLite has one writer at a time,
-- so its V011 trigger always finds the parent's row free and never skips a wake-up.
SELECT 1;
