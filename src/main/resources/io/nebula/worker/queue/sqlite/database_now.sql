-- The database clock.
SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER) AS db_now;
