-- Forgets workers not seen for a long time (they died without deregistering).
DELETE FROM workers WHERE last_seen_at < CAST(unixepoch('subsec') * 1000 AS INTEGER) - :older_ms;
