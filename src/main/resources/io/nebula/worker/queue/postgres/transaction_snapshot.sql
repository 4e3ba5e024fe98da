-- Makes the current transaction read only and REPEATABLE READ, so that its statements all see the
-- database as of its first one. Must come first in the transaction; holds for this transaction only
-- (so also behind PgBouncer in transaction pooling).
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;
