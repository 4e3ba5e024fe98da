-- The current, unexpired holder of the named lease.
SELECT holder FROM leader WHERE name = :name AND expires_at >= CAST(unixepoch('subsec') * 1000 AS INTEGER);
