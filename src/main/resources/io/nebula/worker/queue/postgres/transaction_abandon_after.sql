-- Bounds how long the server keeps the current transaction open while waiting for its next
-- statement (this transaction only: set_config's third argument makes it SET LOCAL, which also
-- holds behind PgBouncer in transaction pooling). Past it the server ends the session and rolls the
-- transaction back, releasing its row locks. :timeout_ms is text, as set_config takes it.
SELECT set_config('idle_in_transaction_session_timeout', :timeout_ms, true);
