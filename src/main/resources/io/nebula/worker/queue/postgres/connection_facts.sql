-- What the server says about the connection that runs this: its backend process id (compared with
-- the id the connection reported at start-up, which a pooler such as PgBouncer makes up) and the
-- isolation level a transaction gets when no session setting changes it.
SELECT pg_backend_pid() AS backend_pid,
       current_setting('default_transaction_isolation') AS default_isolation;
