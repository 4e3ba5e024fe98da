-- The write connection begins IMMEDIATE transactions, so the write lock is already held and
-- concurrent migrators wait on it (busy timeout). Nothing more to take; the parameter is unused.
SELECT :schema AS schema_name;
