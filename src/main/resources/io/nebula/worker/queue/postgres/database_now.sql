-- The database clock.
SELECT now() AS db_now;
