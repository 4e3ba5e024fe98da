-- The longest a migration transaction waits for a lock from here on (until it ends). A migration
-- queued behind a long transaction would otherwise hold every claim and write to the same table
-- back for as long, in the lock queue behind it.
SELECT set_config('lock_timeout', :timeout, true) AS lock_timeout;
